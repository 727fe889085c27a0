"""The numbers typed in the running text of chapter 4's training section ("## 학습 곡선으로 보기").

Every number that section writes outside a checked code output is the one gdcore computes from
``gdcore.book.init_training.INIT_TRAINING`` or from the runs the figure ``init-training-curves``
draws (the claims of that figure hold its alt text and caption; this test holds the prose).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from gdcore.book.init_training import INIT_TRAINING, init_training_runs, init_training_setup
from gdcore.init import init_std

PAGE = Path(__file__).resolve().parents[2] / "docs" / "weight-initialization.md"
LN10 = math.log(10)


@pytest.fixture(scope="module")
def section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    body = text[text.index("## 학습 곡선으로 보기"):text.index("## 결론: 깊어져도 안정적인 학습")]
    return re.sub(r"\s+", " ", body)


@pytest.fixture(scope="module")
def runs():
    with threadpool_limits(1):
        return init_training_runs()


def test_the_set_up(section: str):
    c = INIT_TRAINING
    assert f"폭 {c.width}인 은닉층 {c.hidden_layers}개와 출력층" in section
    assert f"완전연결층이 {c.dense_layers}개라서" in section and f"층이 다섯뿐" in section and c.dense_layers == 5
    assert f"$\\mathcal N(0, {c.small_std:g}^2)$" in section
    assert f"`SGD(lr={c.lr:g}, momentum={c.momentum:g})`, 배치 {c.batch_size}, {c.epochs} 에폭" in section
    assert f"값 {c.lr:g}은 몇 값을 시험해" in section and f"{c.epochs} 에폭 안에 차이가" in section
    _, data, _ = init_training_setup("he", "relu")
    assert data.X_train.shape[1] == 8 * 8 and "8×8 손글씨 숫자(열 클래스" in section
    assert len(np.unique(data.y_train)) == 10


def test_the_weights_of_the_three_starts(section: str):
    w = INIT_TRAINING.width
    assert f"$W_2$(${w} \\times {w}$)에서 Xavier의 표준편차는 $\\sqrt{{2/{2 * w}}}$, He는 $\\sqrt{{2/{w}}}$" in section
    assert init_std("xavier", w, w) == math.sqrt(2 / (2 * w)) and init_std("he", w, w) == math.sqrt(2 / w)
    assert math.isclose(init_std("he", w, w) / init_std("xavier", w, w), math.sqrt(2)) and "정확히 $\\sqrt2$배" in section


def test_the_shrink_factor_of_the_small_start(section: str):
    c = INIT_TRAINING
    factor = math.sqrt(0.5 * c.width * c.small_std**2)
    assert f"$\\sqrt{{\\tfrac12\\cdot {c.width}\\cdot {c.small_std:g}^2}} = {factor:.2f}$" in section
    assert f"$N_\\text{{in}} = {c.width}$와 $s = {c.small_std:g}$" in section
    # the orders of magnitude of the step-0 bullets are checked in tests/lib/test_init_training.py
    assert "10만 배 넘게 작습니다" in section and "두 자릿수 안팎" in section and "여섯 자릿수 가까이" in section
    assert "Xavier의 두 배가 넘습니다" in section


def test_the_results(section: str, runs):
    c = INIT_TRAINING
    assert f"$\\ln 10 \\approx {LN10:.3f}$" in section and f"{LN10:.3f}" == "2.303"
    assert f"손실이 {c.epochs} 에폭 내내" in section
    small = [runs[a, "small"].val_error for a in ("sigmoid", "relu")]
    assert "열에 아홉 꼴" in section and all(0.85 < e < 0.95 for e in small), small
    _, data, _ = init_training_setup("small", "relu")
    counts = np.bincount(data.y_train, minlength=10)
    p = counts / counts.sum()
    entropy = float(-(p * np.log(p)).sum())
    assert "0.001도 차이 나지 않습니다" in section and 0 < LN10 - entropy < 0.001
    assert "열 클래스의 수가 거의 같아서" in section and counts.max() / counts.min() < 1.15
    early = 3
    assert f"둘 다 {early} 에폭 만에 손실이 $\\ln 10$의 절반 아래로" in section and f"처음 {early} 에폭 동안은 He가 앞서는데" in section
    for init in ("xavier", "he"):
        loss = runs["relu", init].history.epoch_loss
        assert loss[early] < 0.5 * LN10 and loss[-1] < 0.1 * 0.01, init  # "0.01보다 훨씬 작아집니다"
    assert f"{c.epochs} 에폭 뒤에는 0.01보다 훨씬 작아집니다" in section
    he, xavier = runs["relu", "he"].history.epoch_loss, runs["relu", "xavier"].history.epoch_loss
    assert np.all(he[1:early + 1] < xavier[1:early + 1])
    assert he[0] > LN10 > he[1]  # He·ReLU starts above ln 10 and is below it after the first epoch
    assert f"{c.epochs} 에폭 뒤의 검증 오류율도 다른 둘보다 훨씬 낮습니다" in section
    sigmoid = {i: runs["sigmoid", i].val_error for i in ("small", "xavier", "he")}
    assert sigmoid["he"] < 0.5 * min(sigmoid["small"], sigmoid["xavier"]), sigmoid


def test_the_other_seeds_the_prose_names(section: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location("lib_test", PAGE.parents[1] / "tests" / "lib" / "test_init_training.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    a, b = module.EXTRA_SEEDS
    assert f"시드 {a}과 {b}에서도 성립하는지 테스트가 확인합니다" in section
