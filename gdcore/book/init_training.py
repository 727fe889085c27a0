"""The initialisation chapter's training experiment: what the starting weights do to the loss curve.

Part of :mod:`gdcore.book`, the experiments of the book (the site), not the library.

The rest of chapter 4 (``docs/weight-initialization.md``) looks at a deep network at step 0 only
(:func:`gdcore.book.activation_stats`).  Here the same question is asked of training: a deep MLP
(:data:`INIT_TRAINING`: ``hidden_layers`` hidden layers of ``width`` units) is trained on the
handwritten digits (:func:`gdcore.data.load_digits_split`) from three initialisations — a normal
with a small fixed standard deviation (``small_std``), Xavier (Glorot) and He — each with the
sigmoid and with ReLU.  All six runs use the same momentum SGD, the same learning rate, batches,
epochs and seed; only the initialiser and the activation change.

* :data:`INITIALIZERS` — the three initialisers, in the order the chapter compares them.
* :func:`init_training_setup` — the split, the freshly initialised MLP and the shuffling generator
  of one run, drawn from one seed in the order of :func:`gdcore.book.digits_setup`.
* :func:`train_one` — one run (:class:`InitRun`): :func:`gdcore.train.fit`, then the validation error.
* :func:`init_training_runs` — all six runs for a configuration, cached.

Sources: X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
neural networks", AISTATS 2010, §3.1 (the slow start of deep sigmoid networks) and §4.2 (the
Xavier initialisation), https://proceedings.mlr.press/v9/glorot10a.html; K. He, X. Zhang, S. Ren and
J. Sun, "Delving Deep into Rectifiers", ICCV 2015, §2.2, arXiv:1502.01852 (the He initialisation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from gdcore._validate import check_choice, check_int, check_positive
from gdcore.book.large_batch import DIGITS
from gdcore.data import DigitsSplit, load_digits_split
from gdcore.init import he_normal, xavier_normal
from gdcore.models import ACTIVATIONS, MLP
from gdcore.optim import SGD
from gdcore.train import History, fit

__all__ = [
    "InitTrainingConfig",
    "INIT_TRAINING",
    "INITIALIZERS",
    "ACTIVATIONS_COMPARED",
    "InitRun",
    "small_normal",
    "init_training_setup",
    "train_one",
    "init_training_runs",
]


@dataclass(frozen=True)
class InitTrainingConfig:
    """Hyperparameters of the initialisation training experiment (every run uses all of them).

    Attributes:
        hidden_layers: hidden layers of the MLP; with the output layer it has ``hidden_layers + 1``
            dense layers, as deep as the chapter's step-0 experiment for the default 4.
        width: units of every hidden layer: the MLP is 64-width-...-width-10.
        small_std: s of the small initialisation W ~ N(0, s²) (the same for every layer).
        lr: the learning rate of ``SGD(momentum=momentum)``, one value for all six runs.
        momentum: μ of the heavy-ball SGD (torch's form, :class:`gdcore.optim.SGD`).
        batch_size: examples per step.
        epochs: passes over the training set.
        val_fraction: share of the 1797 images held out for validation (as the digits experiment).
        seed: one seed for every run: the same split, the same shuffles; the initial weights differ
            only by the initialiser (all are drawn from the same generator state).
    """

    hidden_layers: int = 4
    width: int = 32
    small_std: float = 0.01
    lr: float = 0.1
    momentum: float = 0.9
    batch_size: int = 256
    epochs: int = 30
    val_fraction: float = DIGITS.val_fraction
    seed: int = 0

    @property
    def sizes(self) -> tuple[int, ...]:
        """``(64, width, ..., width, 10)``: the ``sizes`` of :class:`gdcore.models.MLP`."""
        return (64, *([self.width] * self.hidden_layers), 10)

    @property
    def dense_layers(self) -> int:
        """The number of weight matrices: ``hidden_layers + 1``."""
        return self.hidden_layers + 1


#: The configuration the chapter uses.
INIT_TRAINING = InitTrainingConfig()

#: The two activations compared, in the order of the figure's panels.
ACTIVATIONS_COMPARED = ("sigmoid", "relu")


def small_normal(shape: tuple[int, int], rng: np.random.Generator, *, std: float) -> np.ndarray:
    """W ~ N(0, std²) for every layer, whatever its fans: the "small random numbers" start.

    With ``functools.partial(small_normal, std=s)`` it is an initialiser ``(shape, rng) -> W``
    for :class:`gdcore.models.MLP`.
    """
    std = check_positive(std, "std")
    return rng.normal(0.0, std, size=shape)


#: The three initialisers compared: name -> (config -> initialiser ``(shape, rng) -> W``).
INITIALIZERS = {
    "small": lambda config: functools.partial(small_normal, std=config.small_std),
    "xavier": lambda config: xavier_normal,
    "he": lambda config: he_normal,
}


def init_training_setup(
    init: str, activation: str, config: InitTrainingConfig = INIT_TRAINING
) -> tuple[MLP, DigitsSplit, np.random.Generator]:
    """The split, a freshly initialised MLP and the generator left for shuffling, for one run.

    As in :func:`gdcore.book.digits_setup`, one ``numpy.random.default_rng(config.seed)`` draws,
    in this order, the train/validation permutation, the initial weights (layer by layer, with
    the initialiser ``init`` of :data:`INITIALIZERS`) and then every epoch's shuffle. All runs
    of one configuration therefore see the same data in the same order.
    """
    init = check_choice(init, "init", INITIALIZERS)
    activation = check_choice(activation, "activation", ACTIVATIONS)
    rng = np.random.default_rng(check_int(config.seed, "config.seed", 0))
    data = load_digits_split(rng, val_fraction=config.val_fraction)
    model = MLP(config.sizes, activation, init=INITIALIZERS[init](config), rng=rng)
    return model, data, rng


@dataclass(frozen=True)
class InitRun:
    """One training run of the experiment.

    Attributes:
        history: what :func:`gdcore.train.fit` measured; ``history.epoch_loss[e]`` is the full
            training loss after e epochs (entry 0: before training).
        val_error: the validation error rate 1 − accuracy after the last epoch.
    """

    history: History
    val_error: float


def train_one(init: str, activation: str, config: InitTrainingConfig = INIT_TRAINING) -> InitRun:
    """Train one (initialiser, activation) pair with ``SGD(lr, momentum)``.

    Mini-batches and the per-epoch training loss are those of :func:`gdcore.train.fit`; the
    validation set is scored once, after the last epoch (scoring it every epoch would cost an
    eighth of the experiment's time, and only the final error is reported). A run whose loss
    blows up raises :class:`gdcore.run.DivergenceError` (no run of :data:`INIT_TRAINING` does).
    """
    model, data, rng = init_training_setup(init, activation, config)
    history = fit(
        model,
        SGD(model.params, lr=config.lr, momentum=config.momentum),
        data.X_train,
        data.y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        rng=rng,
    )
    return InitRun(history, 1.0 - model.accuracy(data.X_val, data.y_val))


@functools.cache
def init_training_runs(config: InitTrainingConfig = INIT_TRAINING) -> dict[tuple[str, str], InitRun]:
    """``{(activation, init): InitRun}`` for every activation of :data:`ACTIVATIONS_COMPARED` and
    every initialiser of :data:`INITIALIZERS`, in that order (six runs for the default)."""
    return {(activation, init): train_one(init, activation, config)
            for activation in ACTIVATIONS_COMPARED for init in INITIALIZERS}
