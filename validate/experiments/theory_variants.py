"""Claims and theory variants of the fixed-point comparison rows (static, corrections).

Each row of the static and corrections experiments compares one quantity with one theory
variant of :mod:`meanfield.variants`. :func:`tag_fixed_point_rows` attaches to a row its
*claim* (:data:`FIXED_POINT_CLAIMS`), its *variant* and *role* (the best variant's rows are
predictions, the others findings), the variant's declared model error at the point as the
row's tolerance (the noise-to-barrier ratio D/ΔV at the simulated dt) and, when the point is
outside the domain (predicted from D/ΔV before simulating, or switching detected in the
simulation), the reason — the rule of :mod:`validate.core.stats` then judges it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.stats import Comparison

__all__ = ["FIXED_POINT_CLAIMS", "tag_fixed_point_rows"]

#: quantity id → the claim it belongs to.
FIXED_POINT_CLAIMS: dict[str, str] = {
    "kappa_norm": "fixed point ‖κ̄‖ of a given M",
    "rho": "readout correlation ρ of a given M",
    "mean_output": "mean output z̄ of a given M",
    "loss_var": "L_var of a given M",
    "Sigma11": "latent covariance Σ of a given M",
    "Sigma12": "latent covariance Σ of a given M",
    "Sigma22": "latent covariance Σ of a given M",
    "mean_output_sd": "spread of z̄ over networks (given U)",
}


def tag_fixed_point_rows(
    rows: Sequence[Comparison],
    key_of: Callable[[Comparison], tuple[str, str]],
    *,
    lambda_plus: float,
    sigma: float,
    N: float,
    dt: float,
    switched: float | None,
) -> list[Comparison]:
    """``rows`` with claim, variant, role, tolerance and domain set.

    ``key_of(row)`` → (quantity id of :data:`FIXED_POINT_CLAIMS`, variant name of
    :data:`meanfield.variants.VARIANTS`). ``switched``: the largest fraction of samples on the
    mirror side over the simulated networks (None: not measured).
    """
    from meanfield.variants import VARIANTS, domain_reason, noise_to_barrier

    tol = float(noise_to_barrier(lambda_plus, sigma, N, dt=dt))
    domain = domain_reason(tol, switched=switched)
    out = []
    for r in rows:
        quantity, variant = key_of(r)
        v = VARIANTS[variant]
        out.append(
            r.tagged(
                claim=FIXED_POINT_CLAIMS[quantity],
                variant=variant,
                role="prediction" if v.best else "finding",
                tolerance=tol if tol == tol else 0.0,
                domain=domain,
            )
        )
    return out
