"""Part (b) of the comparison page (docs/comparison.md): every optimizer on the digits.

``gdcore.models.MLP`` is trained on the handwritten digits with each optimizer of
``gdcore.optim``; the runs are defined once, in :func:`digits_runs`, and shared by the table and
the loss-curve figure.  These 35 training runs (7 optimizers x 5 seeds) are the slowest part
of a cold build, which starts them first (``sitegen.figures.HEAVY``).
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from gdcore.book import DIGITS, digits_setup
from gdcore.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from gdcore.train import History, fit
from sitegen.claims import claim
from sitegen.figures import Theme, figure, table


@functools.cache
def digits_runs() -> list[tuple[str, dict[str, float], list[History]]]:
    """Train the MLP of :data:`gdcore.book.DIGITS` with every optimizer, once per seed.

    Dataset, model, epochs, batch size and seeds are those of the SGD chapter's experiment
    (``gdcore.book``); only the optimizer changes. Learning rates: plain SGD keeps that
    experiment's ``base_lr``; SGD with (Nesterov) momentum ``mu = 0.9`` uses
    ``base_lr * (1 - mu)``, so that its step for a constant gradient, ``lr / (1 - mu)``, equals
    plain SGD's; the adaptive methods use the defaults of their papers / libraries.
    Hyperparameters not listed keep the torch defaults (e.g. RMSprop ``alpha=0.99``,
    Adam ``betas=(0.9, 0.999)``). Returns ``[(name, hyperparameters, [History per seed])]``.
    """
    eta, mu = DIGITS.base_lr, 0.9
    optimizers = [
        ("SGD", SGD, {"lr": eta}),
        ("SGD+모멘텀", SGD, {"lr": eta * (1 - mu), "momentum": mu}),
        ("Nesterov", SGD, {"lr": eta * (1 - mu), "momentum": mu, "nesterov": True}),
        ("AdaGrad", Adagrad, {"lr": 1e-2}),
        ("RMSProp", RMSprop, {"lr": 1e-3}),
        ("Adam", Adam, {"lr": 1e-3}),
        ("AdamW", AdamW, {"lr": 1e-3, "weight_decay": 1e-2}),
    ]
    out = []
    with threadpool_limits(1):  # tiny matrices: one BLAS thread is several times faster
        for name, Opt, hyper in optimizers:
            histories = []
            for seed in DIGITS.seeds:
                model, data, rng = digits_setup(seed)  # same split, initial weights, shuffles
                histories.append(fit(
                    model, Opt(model.params, **hyper), data.X_train, data.y_train,
                    batch_size=DIGITS.base_batch_size, epochs=DIGITS.epochs, rng=rng,
                    X_val=data.X_val, y_val=data.y_val,
                ))
            out.append((name, hyper, histories))
    return out


def _hyper_text(hyper: dict[str, object]) -> str:
    return ", ".join(f"`{k}={v:g}`" if isinstance(v, float) else f"`{k}={v}`" for k, v in hyper.items())


@table("compare-digits-results")
def digits_results() -> str:
    lines = [
        "| 옵티마이저 | 하이퍼파라미터 | 훈련 손실 | 검증 오차 (최소–최대) |",
        "| --- | --- | ---: | ---: |",
    ]
    for name, hyper, histories in digits_runs():
        train = np.array([h.epoch_loss[-1] for h in histories])
        err = np.array([h.val_error[-1] for h in histories]) * 100
        lines.append(
            f"| {name} | {_hyper_text(hyper)} | {train.mean():.4f} "
            f"| {err.mean():.2f}% ({err.min():.1f}–{err.max():.1f}) |"
        )
    return "\n".join(lines) + "\n"


@figure(
    "compare-digits-loss",
    alt=(
        "손글씨 숫자 데이터에서 같은 MLP를 일곱 옵티마이저로 학습시킨 훈련 손실 곡선(로그 눈금). "
        "위 칸의 SGD, 모멘텀, Nesterov는 거의 같은 곡선을 그린다. 아래 칸에서는 RMSProp이 첫 에폭부터 끝까지 가장 낮고, "
        "Adam과 AdamW는 서로 겹치며, AdaGrad는 10 에폭이 지난 뒤로 가장 높은 곳에 머문 채 끝난다."
    ),
    caption=(
        "에폭마다 잰 **전체 훈련 세트**의 손실(교차 엔트로피, 로그 눈금). 선은 시드 평균, 옅은 띠는 시드 사이의 "
        "최소–최대입니다. 데이터·모델·에폭·배치 크기·시드는 [SGD 장](sgd.md)의 실험(`gdcore.book.DIGITS`)과 같고 "
        "옵티마이저만 다릅니다. 학습률은 위의 표에 있습니다."
    ),
)
def digits_loss(theme: Theme):
    runs = {name: histories for name, _, histories in digits_runs()}
    groups = [
        ("SGD 계열", [("SGD", theme.blue, "-"), ("SGD+모멘텀", theme.orange, "-"), ("Nesterov", theme.green, "--")]),
        ("적응적 학습률", [("AdaGrad", theme.green, "-"), ("RMSProp", theme.purple, "-"),
                      ("Adam", theme.red, "-"), ("AdamW", theme.blue, "--")]),
    ]
    fig, axes = plt.subplots(2, 1, figsize=(6.0, 7.0), sharex=True, sharey=True)
    for ax, (title, members) in zip(axes, groups):
        for name, color, style in members:
            losses = np.array([h.epoch_loss for h in runs[name]])
            epochs = np.arange(losses.shape[1])
            ax.fill_between(epochs, losses.min(axis=0), losses.max(axis=0), color=color, alpha=0.18, linewidth=0)
            ax.semilogy(epochs, losses.mean(axis=0), style, color=color, label=name)
        if ax is axes[1]:  # plain SGD again, for reference across the panels
            sgd = np.array([h.epoch_loss for h in runs["SGD"]]).mean(axis=0)
            ax.semilogy(np.arange(len(sgd)), sgd, ":", color=theme.muted, label="SGD (위 칸)")
        ax.set_title(title)
        ax.set_ylabel("훈련 손실 (로그 눈금)")
        ax.grid(True, which="major")
        ax.legend(loc="upper right", framealpha=0.9)
    axes[-1].set_xlabel("에폭")
    axes[-1].set_xlim(0, DIGITS.epochs)
    fig.tight_layout()
    return fig


def _mean_losses() -> dict[str, np.ndarray]:
    return {name: np.array([h.epoch_loss for h in histories]).mean(axis=0) for name, _, histories in digits_runs()}


@claim("compare-digits-loss", "위 칸의 SGD, 모멘텀, Nesterov는 거의 같은 곡선을 그린다")
def _sgd_family_overlaps():
    loss = _mean_losses()
    for name in ("SGD+모멘텀", "Nesterov"):
        assert np.abs(np.log(loss[name] / loss["SGD"])).max() < 0.15, name  # within 16% at every epoch


ADAPTIVE = ("AdaGrad", "RMSProp", "Adam", "AdamW")


@claim("compare-digits-loss", "RMSProp이 첫 에폭부터 끝까지 가장 낮고")
def _rmsprop_lowest():
    loss = _mean_losses()
    lowest = np.array([loss[n] for n in ADAPTIVE])[:, 1:].argmin(axis=0)
    assert np.all(lowest == ADAPTIVE.index("RMSProp")), lowest


@claim("compare-digits-loss", "Adam과 AdamW는 서로 겹치며")
def _adam_and_adamw_overlap():
    loss = _mean_losses()
    assert np.abs(np.log(loss["Adam"] / loss["AdamW"])).max() < 0.1


@claim("compare-digits-loss", "AdaGrad는 10 에폭이 지난 뒤로 가장 높은 곳에 머문 채 끝난다")
def _adagrad_highest_late():
    loss = _mean_losses()
    highest = np.array([loss[n] for n in ADAPTIVE])[:, 11:].argmax(axis=0)
    assert np.all(highest == ADAPTIVE.index("AdaGrad")), highest



@claim("comparison.md", "실제 데이터에서는 관례적인 학습률이면 검증 오차의 차이가 시드 사이의 흩어짐보다 작습니다")
def _summary_optimizers_within_seed_spread():
    errors = {name: np.array([h.val_error[-1] for h in histories]) for name, _, histories in digits_runs()}
    means = [e.mean() for e in errors.values()]
    spreads = [np.ptp(e) for e in errors.values()]
    assert max(means) - min(means) < min(spreads), (max(means) - min(means), min(spreads))
