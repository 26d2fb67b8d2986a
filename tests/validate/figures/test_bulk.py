"""validate.figures.bulk: the figures draw from tiny simulated points (PNG written)."""

from __future__ import annotations

from validate.experiments.bulk import BulkConfig, simulate_bulk
from validate.figures.bulk import plot_bulk_autocorrelation, plot_bulk_latent, plot_bulk_state


def test_bulk_figures_are_written(tmp_path) -> None:
    pts = [
        simulate_bulk(BulkConfig(N=64, g=g, networks=3, t_max=32.0, t_discard=10.0))
        for g in (0.5, 1.5)
    ]
    # a long run (≥ LATENT_MIN_TIME after the transient) for the latent-covariance figure
    pts.append(
        simulate_bulk(BulkConfig(N=64, g=0.5, networks=3, t_max=420.0, t_discard=10.0, dt=0.05))
    )
    for plot, name in (
        (plot_bulk_state, "state.png"),
        (plot_bulk_autocorrelation, "acf.png"),
        (plot_bulk_latent, "latent.png"),
    ):
        out = plot(pts, tmp_path / name)
        assert out.exists() and out.stat().st_size > 10_000
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
