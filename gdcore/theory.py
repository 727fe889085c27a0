"""What theory says about gradient descent on a quadratic, computed (not typed) for the pages.

Near a minimum every smooth objective looks like a quadratic ½ xᵀHx whose Hessian H has
eigenvalues λ_min ≤ … ≤ λ_max (the curvatures).  Each eigen-direction then moves on its own,
and a fixed learning rate is stable only if every direction is:

- gradient descent, x ← x − η λ x: the factor 1 − ηλ must lie in (−1, 1), so η < 2/λ_max;
- heavy-ball momentum as ``torch.optim.SGD(momentum=μ)`` computes it (b ← μb + g, x ← x − ηb):
  x_{k+1} = (1 + μ − ηλ) x_k − μ x_{k−1}, stable iff ηλ < 2(1 + μ);
- Nesterov momentum in torch's form (x ← x − η(g + μb)):
  x_{k+1} = (1 + μ)(1 − ηλ) x_k − μ(1 − ηλ) x_{k−1}, stable iff ηλ < 2(1 + μ)/(1 + 2μ).

The two-term recurrences are stable exactly when both roots of z² − a z + c lie inside the
unit circle (|c| < 1 and |a| < 1 + c); for 0 ≤ μ < 1 the binding edge is the root z = −1.

Sources: B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. Math. Phys. 4(5), 1964, https://doi.org/10.1016/0041-5553(64)90137-5;
G. Goh, "Why Momentum Really Works", Distill, 2017, https://doi.org/10.23915/distill.00006.
"""

from __future__ import annotations

import numpy as np

from gdcore._validate import check_bool, check_has, check_positive, check_real_array, check_unit_interval
from gdcore.calculus import hessian


def curvatures(objective, x=None) -> np.ndarray:
    """The Hessian's eigenvalues (ascending) of a 2-D or n-D ``objective`` at ``x`` (default: its minimum).

    For the quadratics of this site they are exact up to rounding, e.g. ``functions.elongated``
    (0.1 x0² + 2 x1²) gives [0.2, 4].
    """
    check_has(objective, "objective", "have a grad(x) method (an Objective)", methods=("grad",))
    if x is None:
        if getattr(objective, "minimum", None) is None:
            raise ValueError("x is required: the objective has no known minimum (objective.minimum is None)")
        x = objective.minimum
    point = check_real_array(x, "x", ("d",), form="be a vector of shape (d,)", finite=True)
    return np.linalg.eigvalsh(hessian(objective.grad, point))


def lr_limit(lam_max: float, momentum: float = 0.0, nesterov: bool = False) -> float:
    """The largest stable learning rate of torch's SGD on a quadratic with top curvature ``lam_max``.

        2 (1 + μ) / λ_max                (plain SGD when μ = 0: 2 / λ_max)
        2 (1 + μ) / ((1 + 2μ) λ_max)     (nesterov=True)

    At η equal to the limit the iteration neither converges nor blows up; below it every run
    converges, above it almost every run diverges.
    """
    lam_max = check_positive(lam_max, "lam_max")
    momentum = check_unit_interval(momentum, "momentum")
    if check_bool(nesterov, "nesterov"):
        return 2 * (1 + momentum) / ((1 + 2 * momentum) * lam_max)
    return 2 * (1 + momentum) / lam_max
