"""The objectives the library tests run over, listed once (tests/lib/test_calculus.py and
tests/lib/test_functions.py both import them)."""

from gdcore import functions as F

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
