"""What several library tests share, written once: the objectives they run over and the
small regression model that training tests start from."""

from gdcore import functions as F
from gdcore.models import LinearRegression

#: every named objective of gdcore.functions
NAMED = [
    F.sphere,
    F.elongated,
    F.elongated_classic,
    F.ellipse_tilted,
    F.saddle,
    F.curvy,
    F.landscape,
    F.rosenbrock_2d,
]
#: the named ones and one instance of each factory
ALL_2D = [*NAMED, F.rosenbrock(a=-0.5, b=3.0), F.quadratic([[2.0, -0.5], [-0.5, 1.0]], [1.0, -2.0])]


def fresh(problem) -> LinearRegression:
    """A linear regression model for ``problem`` (the ``problem`` fixture), always at (-1, -2)."""
    model = LinearRegression(2)
    model.params[0][:] = [-1.0, -2.0]
    return model
