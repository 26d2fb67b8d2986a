r"""Discrete-time RNN architectures of seed 002: Vanilla, UGRNN, GRU and LSTM.

Seed 002 (*Universality and individuality in neural dynamics across large populations of
recurrent networks*) defines an RNN by an update rule h_t = F(h_{t−1}, x_t) with a linear
readout z_t = W_outᵀ h_t + b_out, for four architectures, each with a point-wise activation
F ∈ {relu, tanh} (gates use the logistic sigmoid σ). With the gate pre-activations

    a_g = W_h[g] h + W_x[g] x + b[g]         (g = 0, 1, …; all of shape [units])

the updates are (⊙ the element-wise product; the seed's appendix equations, standard forms):

* ``"vanilla"``: h' = F(a₀)
* ``"ugrnn"`` (update-gate RNN, Collins et al. 2017): u = σ(a₀), c = F(a₁),
  h' = u ⊙ h + (1 − u) ⊙ c
* ``"gru"`` (Cho et al. 2014): r = σ(a₀), u = σ(a₁),
  c = F(W_h[2](r ⊙ h) + W_x[2] x + b[2]), h' = u ⊙ h + (1 − u) ⊙ c
* ``"lstm"`` (Hochreiter & Schmidhuber 1997): state [h, c];
  i = σ(a₀), f = σ(a₁), o = σ(a₂), g = F(a₃), c' = f ⊙ c + i ⊙ g, h' = o ⊙ F(c')

The module's ``N`` is the *state* dimension seen by :func:`simulate.dynamics.simulate`
(units for Vanilla/UGRNN/GRU, 2·units for the LSTM's [h, c]); ``units`` is the number of
hidden units and the readout reads h only. In :func:`simulate.dynamics.step` a gated model
advances by one update per step (``dt`` is not used) with optional additive state noise
σ·ξ (seed 002 trains without noise: σ = 0).

Initialisation (:func:`make_gated_rnn`): W_h[g] entries N(0, g²/units), W_x[g] entries
N(0, 1/n_in), b = 0 except the LSTM forget gate (b = 1, the usual choice that keeps memory at
the start of training), w_out entries N(0, 1/units) (``"large"``) or N(0, 1/units²)
(``"small"``), b_out = 0.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._dtypes import resolve_dtype
from .nonlinearities import check_nonlinearity, get_nonlinearity

__all__ = ["ARCHITECTURES", "GATES", "GatedRNN", "make_gated_rnn"]

#: Architecture names, in seed 002's order of complexity.
ARCHITECTURES: tuple[str, ...] = ("vanilla", "ugrnn", "gru", "lstm")
#: Number of stacked gate/candidate blocks of each architecture.
GATES: dict[str, int] = {"vanilla": 1, "ugrnn": 2, "gru": 3, "lstm": 4}
#: Activations allowed for F (seed 002: relu or tanh).
_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu")


class GatedRNN(eqx.Module):
    """A discrete-time RNN of seed 002 (see the module docstring for the equations).

    **Fields**
      W_h: [G, units, units] recurrent weights of the G gate/candidate blocks.
      W_x: [G, units, n_in] input weights.
      b:   [G, units] biases.
      w_out: [units, n_out] readout; b_out: [n_out]. z = w_outᵀ h + b_out.
      arch: ``"vanilla"``, ``"ugrnn"``, ``"gru"`` or ``"lstm"`` (static).
      nonlinearity: F, ``"tanh"`` or ``"relu"`` (static).
    """

    W_h: Float[Array, "G units units"]
    W_x: Float[Array, "G units n_in"]
    b: Float[Array, "G units"]
    w_out: Float[Array, "units n_out"]
    b_out: Float[Array, " n_out"]
    arch: str = eqx.field(static=True, default="vanilla")
    nonlinearity: str = eqx.field(static=True, default="tanh")

    @property
    def units(self) -> int:
        return self.W_h.shape[-1]

    @property
    def N(self) -> int:
        """State dimension: ``units`` (2·units for the LSTM's [h, c])."""
        return 2 * self.units if self.arch == "lstm" else self.units

    @property
    def n_in(self) -> int:
        return self.W_x.shape[-1]

    @property
    def n_out(self) -> int:
        return self.w_out.shape[1]

    @property
    def dtype(self) -> jnp.dtype:
        return self.w_out.dtype

    def phi(self, x: Float[Array, "*b units"]) -> Float[Array, "*b units"]:
        """The point-wise activation F."""
        return get_nonlinearity(self.nonlinearity)(x)

    def hidden(self, x: Float[Array, "*b N"]) -> Float[Array, "*b units"]:
        """The hidden units h of states x (the first ``units`` entries)."""
        return x[..., : self.units]

    def _pre(self, g: int, h: Array, u: Array) -> Array:
        return h @ self.W_h[g].T + u @ self.W_x[g].T + self.b[g]

    def update(self, x: Float[Array, "*b N"], u: Float[Array, "*b n_in"]) -> Float[Array, "*b N"]:
        """F(x, u): one noise-free update of states x [..., N] with inputs u [..., n_in]."""
        F, sig = self.phi, jax.nn.sigmoid
        if self.arch == "lstm":
            h, c = x[..., : self.units], x[..., self.units :]
            i, f, o = (sig(self._pre(k, h, u)) for k in range(3))
            c_new = f * c + i * F(self._pre(3, h, u))
            return jnp.concatenate([o * F(c_new), c_new], axis=-1)
        h = x
        if self.arch == "vanilla":
            return F(self._pre(0, h, u))
        if self.arch == "ugrnn":
            gate = sig(self._pre(0, h, u))
            cand = F(self._pre(1, h, u))
        else:  # gru
            r = sig(self._pre(0, h, u))
            gate = sig(self._pre(1, h, u))
            cand = F(self._pre(2, r * h, u))
        return gate * h + (1.0 - gate) * cand

    def readout(self, x: Float[Array, "*b N"]) -> Float[Array, "*b n_out"]:
        """z = w_outᵀ h + b_out for states x [..., N]."""
        return self.hidden(x) @ self.w_out + self.b_out


def make_gated_rnn(
    key: PRNGKeyArray,
    units: int,
    *,
    arch: str = "vanilla",
    n_in: int,
    n_out: int,
    g: float = 1.0,
    out_scale: str = "large",
    nonlinearity: str = "tanh",
    dtype: object = jnp.float32,
) -> GatedRNN:
    """A randomly initialised :class:`GatedRNN` (initialisation in the module docstring).

    **Arguments**
      key: PRNG key. units: hidden units (≥ 2). arch: one of :data:`ARCHITECTURES`.
      n_in, n_out: ≥ 1. g: recurrent gain ≥ 0. out_scale: ``"large"`` / ``"small"``.
      nonlinearity: ``"tanh"`` or ``"relu"``. dtype: float32 or float64.

    >>> net = make_gated_rnn(jax.random.key(0), 16, arch="gru", n_in=3, n_out=3)
    >>> net.W_h.shape, net.N
    ((3, 16, 16), 16)
    """
    from .models import _check_count, _check_g, _check_N, output_scale

    if arch not in ARCHITECTURES:
        raise ValueError(f"arch={arch!r} is not allowed; allowed: {', '.join(ARCHITECTURES)}")
    _check_N(units)
    check_nonlinearity(nonlinearity)
    if nonlinearity not in _ACTIVATIONS:
        raise ValueError(
            f"nonlinearity={nonlinearity!r} is not allowed for gated models; "
            f"allowed: {', '.join(_ACTIVATIONS)} (seed 002)"
        )
    _check_count("n_in", n_in)
    _check_count("n_out", n_out)
    _check_g(g)
    dt = resolve_dtype(dtype)
    s = output_scale(units, out_scale)
    G = GATES[arch]
    k_h, k_x, k_out = jax.random.split(key, 3)
    W_h = g / math.sqrt(units) * jax.random.normal(k_h, (G, units, units), dtype=dt)
    W_x = jax.random.normal(k_x, (G, units, n_in), dtype=dt) / math.sqrt(n_in)
    b = jnp.zeros((G, units), dt)
    if arch == "lstm":
        b = b.at[1].set(1.0)  # forget-gate bias
    w_out = s / math.sqrt(units) * jax.random.normal(k_out, (units, n_out), dtype=dt)
    return GatedRNN(
        W_h=W_h,
        W_x=W_x,
        b=b,
        w_out=w_out,
        b_out=jnp.zeros((n_out,), dt),
        arch=arch,
        nonlinearity=nonlinearity,
    )
