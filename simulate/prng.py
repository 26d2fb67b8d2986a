"""JAX's default random numbers, drawn faster on a CPU: an unrolled Threefry-2x32.

The noise of a training step is B·N·T Gaussian draws (THEORY §1, ξ_t); at paper sizes it is
most of the step (``benchmarks/roofline.py``). JAX's default generator is Threefry-2x32 with
20 rounds (Salmon et al. 2011, Random123), counter-based: draw i of a key is a hash of
(key, i), so per-seed reproducibility, bit-identical resume and independence across vmapped
seeds hold by construction. On a CPU, JAX lowers the hash as a rolled loop (five passes of a
``while``), which XLA cannot fuse with the bits → float → normal transform; the same hash
written as one straight-line jnp expression fuses into a single loop and draws the bits
2.6-4× and the normals 1.3-1.55× faster here (four runs of part (e) of
``benchmarks/bench_simulate.py`` on 2026-12-07; ``--noise-only`` runs that part alone).

:data:`FAST_THREEFRY` is that hash registered as a JAX PRNG implementation (the public hook
``jax.extend.random.define_prng_impl``) with JAX's own threefry seeding, splitting and
folding. Its bits are **bit-identical** to ``jax.random.key``'s default implementation in
JAX's default (partitionable) mode: the same key data gives the same bits, uniforms and
normals, so switching changes speed only, never a number (tests/simulate/test_prng.py checks
bits of every width, normals, splits and a whole simulation against JAX's generator).
Outside that mode (``jax_threefry_partitionable=False``) or for arrays of ≥ 2³² draws it
hands the call to JAX's implementation, which then gives JAX's numbers exactly.

:func:`fast_key` re-types a threefry key (typed or legacy ``uint32[..., 2]``) as a
:data:`FAST_THREEFRY` key with the same data; keys of other implementations (``rbg``,
``unsafe_rbg``, user-defined) pass through unchanged. :func:`simulate.dynamics.simulate`
applies it to its key, so every simulation and training run uses it without a change in
results.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.extend.random as jex_random
import jax.numpy as jnp
import numpy as np

__all__ = ["FAST_THREEFRY", "fast_key", "threefry2x32_bits"]

_THREEFRY = jex_random.threefry_prng_impl
# Threefry-2x32 rotation constants and key-schedule parity (Random123, threefry.h, R = 20)
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)


def _rotl(x: jax.Array, r: int) -> jax.Array:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def threefry2x32_bits(
    k0: jax.Array, k1: jax.Array, x0: jax.Array, x1: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """Threefry-2x32-20 of the counter pairs (x0, x1) under the key (k0, k1), unrolled.

    k0, k1: uint32 scalars; x0, x1: uint32 arrays of one shape. Returns the two uint32 output
    words, each of that shape. Same function as ``jax.extend.random.threefry_2x32``, written
    as straight-line code so that XLA fuses it with what consumes the bits.
    """
    ks = (k0, k1, k0 ^ k1 ^ _PARITY)
    x0 = x0 + ks[0]
    x1 = x1 + ks[1]
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x0 = x0 + x1
            x1 = x0 ^ _rotl(x1, r)
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1


def _random_bits(key: jax.Array, bit_width: int, shape: tuple[int, ...]) -> jax.Array:
    """JAX's partitionable threefry bits (``_threefry_random_bits_partitionable``), unrolled."""
    size = math.prod(shape)
    partitionable = jax.config.jax_threefry_partitionable  # type: ignore[attr-defined]
    if not partitionable or size >= 2**32:
        return _THREEFRY.random_bits(key, bit_width, shape)
    lo = jax.lax.iota(jnp.uint32, size).reshape(shape)  # the counter's low word; high = 0
    b0, b1 = threefry2x32_bits(key[0], key[1], jnp.zeros(shape, jnp.uint32), lo)
    if bit_width == 64:
        hi = b0.astype(jnp.uint64)  # 64-bit draws exist only in JAX's 64-bit mode
        return (hi << np.uint64(32)) | b1.astype(jnp.uint64)
    bits = b0 ^ b1
    return bits if bit_width == 32 else bits.astype(f"uint{bit_width}")


#: The unrolled Threefry-2x32 as a JAX PRNG implementation (bit-identical to the default).
FAST_THREEFRY = jex_random.define_prng_impl(
    key_shape=_THREEFRY.key_shape,
    seed=_THREEFRY.seed,
    split=_THREEFRY.split,
    random_bits=_random_bits,
    fold_in=_THREEFRY.fold_in,
    name="fast_threefry2x32",
    tag="fft",
)


def _is_threefry(key: Any) -> bool:
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        return str(jax.random.key_impl(key)) == "threefry2x32"
    return (
        key.dtype == jnp.uint32
        and key.ndim >= 1
        and key.shape[-1] == 2
        and jax.config.jax_default_prng_impl == "threefry2x32"  # type: ignore[attr-defined]
    )


def fast_key(key: Any) -> Any:
    """``key`` re-typed as a :data:`FAST_THREEFRY` key (same data, same draws), if threefry.

    key: a typed PRNG key array of any shape, or a legacy ``uint32[..., 2]`` key of the
    default threefry implementation. Other implementations are returned unchanged.
    """
    if not _is_threefry(key):
        return key
    data = jax.random.key_data(key)
    return jax.random.wrap_key_data(data, impl=FAST_THREEFRY)
