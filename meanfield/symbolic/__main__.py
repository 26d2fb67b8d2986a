"""``python -m meanfield.symbolic``: regenerate ``meanfield/_generated.py`` from the derivation."""

from .codegen import write_generated_module

if __name__ == "__main__":
    written = write_generated_module()
    print(f"wrote meanfield/_generated.py ({len(written.splitlines())} lines)")
