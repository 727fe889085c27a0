"""gdcore.book: the experiments of the book (the site), not the library.

Everything a *user* of gdcore needs is in the core modules (functions,
calculus, optim, init, schedules, models, train, data, run).  What only the
site's chapters need — their experiments, with every hyperparameter defined
once so that pages, figures and tests agree — is here:

minibatch    the SGD chapter's 2-D least-squares problem (:data:`PATHS`), the
             GD / SGD / mini-batch paths (:func:`sgd_path`) and the mini-batch
             gradient noise (:func:`gradient_noise`)
large_batch  the digits experiment (:data:`DIGITS`): small vs. large batches,
             linear scaling and warmup (:func:`run_large_batch`), shared by the
             SGD and comparison chapters and the notebook
activations  the deep-network experiment of the initialisation chapter
             (:func:`activation_stats`)

Import from here: ``from gdcore.book import DIGITS, run_large_batch``.
"""

from gdcore.book import activations, large_batch, minibatch
from gdcore.book.activations import ActivationStats, activation_stats
from gdcore.book.large_batch import (
    DIGITS,
    LARGE_BATCH_SETTINGS,
    DigitsConfig,
    LargeBatchSetting,
    digits_setup,
    final_val_errors,
    large_batch_settings,
    run_large_batch,
    steps_per_epoch,
)
from gdcore.book.minibatch import PATHS, GradientNoise, PathConfig, gradient_noise, regression_problem, sgd_path

__all__ = [*minibatch.__all__, *large_batch.__all__, *activations.__all__]
