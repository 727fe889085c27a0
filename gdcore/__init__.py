"""gdcore: the NumPy code behind the Korean gradient-descent site.

Every number and figure on the site is computed here; the site shows this code rather than a copy.

Modules
-------
functions   objectives with analytic gradients (sphere, elongated quadratics, Rosenbrock, saddle, landscape)
calculus    numerical differentiation: central differences, partials, gradients, directional derivatives
optim       SGD (momentum, Nesterov), Adagrad, RMSprop, Adam, AdamW with torch.optim's names, defaults
            and update rules; TextbookMomentum
init        LeCun, He and Xavier initializers (uniform and normal)
schedules   linear scaling, gradual warmup, step decay, cosine (Goyal et al. 2017; torch's StepLR, CosineAnnealingLR)
run         minimize(): an optimizer on an objective from a start point, with the whole trajectory
models      linear regression and a small MLP with per-example losses and backpropagation
train       fit(): mini-batch training loop with shuffling, schedules and loss history
data        scikit-learn's bundled handwritten digits (nothing downloads) and a 2-D least-squares problem

book        the experiments of the book (the site), not the library: the SGD chapter's paths, gradient
            noise and digits large-batch runs, the initialisation chapter's activation statistics,
            their hyperparameters defined once (``from gdcore.book import DIGITS, run_large_batch``)

Argument checks live in one private module, ``gdcore._validate`` (wrong type: TypeError, wrong value:
ValueError, and the message names the argument and the expected form).

Every random thing takes a seed or a ``numpy.random.Generator``; nothing uses the global RNG.
"""

__version__ = "0.1.0"
