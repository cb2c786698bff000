"""The glossary: one Korean word per concept, so the whole app speaks the lecture's language.

A student who reads 과적합 in one panel and 오버피팅 in the next, or 업데이트 beside 갱신,
wonders whether these are two ideas. So every concept the app teaches has exactly ONE Korean
term here, and ``tests/test_glossary.py`` fails if any Korean catalogue file
(``resources/i18n/ko/*.json``, all of them, also ones added later) uses a variant listed in
``Term.avoid``. Help ▸ Glossary (``app.help_glossary``) shows this table to the student.

How the Korean term is chosen (the decision rule):

1. The lecture's word (``/shared/seed/lecture-ko.txt``, "딥러닝 관련 학습 기법들") wins where the
   lecture has one; ``Term.lecture`` quotes the lecture line that uses it.
2. Where the lecture uses two forms (업데이트/갱신, 손실함수/손실 함수, 미니 배치/미니배치,
   극솟값/극소점, 매개변수/파라미터), the one it uses most and that fits rule 4 wins.
3. Where the lecture has no Korean word (it writes English, or does not name the idea), the
   Korean edition of *Deep Learning from Scratch* (밑바닥부터 시작하는 딥러닝) and then the
   common Korean textbook word decide; loanwords follow the official spelling (페널티, not 패널티).
4. Spacing: a compound the lecture writes as one word stays one word (경사하강법, 이동평균,
   은닉층, 미니배치, 하이퍼파라미터); "<noun> 함수" and two-noun names keep their space
   (손실 함수, 활성화 함수, 배치 정규화, 가중치 감소).

Every choice that is not rule 1 alone is written in ``Term.decision``; the test checks that
each term either is quoted from the lecture or carries a decision. ``Term.avoid`` holds regular
expressions (most are plain words) for the variants the catalogue must not use; a look-around
keeps fixed names that contain a variant legal (경사 is avoided, 경사하강법 and the name
네스테로프 가속 경사 are not). Qt-free: the tests and the help dialog both read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One concept: its English and ONE Korean term, the variants to avoid, two definitions."""

    key: str
    en: str
    ko: str
    avoid: tuple[str, ...]
    definition_en: str
    definition_ko: str
    lecture: str = ""   # an exact quote from the lecture that uses ``ko``
    decision: str = ""  # why ``ko`` where the lecture does not decide it alone


def _t(key, en, ko, avoid, definition_en, definition_ko, lecture="", decision="") -> Term:
    return Term(key, en, ko, tuple(avoid), definition_en, definition_ko, lecture, decision)


TERMS: tuple[Term, ...] = (
    _t("network", "neural network", "신경망", ["네트워크"],
       "Layers of neurons, each feeding the next; trained by gradient descent.",
       "뉴런으로 된 층들을 차례로 이은 모델. 경사하강법으로 학습합니다.",
       lecture="신경망의 성능을 측정하는 지표"),
    _t("activation", "activation function", "활성화 함수", ["활성화함수", "활성함수", "활성 함수"],
       "The non-linear function a neuron applies to its weighted sum (sigmoid, ReLU, …).",
       "뉴런이 가중합에 적용하는 비선형 함수 (시그모이드, ReLU 등).",
       lecture="활성화 함수의 정의"),
    _t("sigmoid", "sigmoid", "시그모이드", ["sigmoid(?!\\()", "Sigmoid(?!\\()"],
       "σ(x) = 1/(1 + e⁻ˣ): squashes into (0, 1); its derivative is at most 0.25.",
       "σ(x) = 1/(1 + e⁻ˣ): 값을 0과 1 사이로 바꿉니다. 미분값은 최대 0.25입니다.",
       lecture="시그모이드 함수에 의해 출력된 값은 항상 (+)",
       decision="In Korean sentences 시그모이드, like 소프트맥스; the activation pickers keep the "
                "registry's Latin names (Sigmoid, ReLU, tanh), and formulas keep sigmoid(x)."),
    _t("softmax", "softmax", "소프트맥스", ["softmax(?!\\()", "Softmax(?!\\()"],
       "Turns output sums into probabilities: e^z divided by the sum of e^z.",
       "출력층의 합을 확률로 바꿉니다: e^z를 e^z의 합으로 나눈 값.",
       lecture="소프트맥스 함수의 입력값"),
    _t("neuron", "neuron (unit)", "뉴런", ["유닛", "신경 세포"],
       "One unit of a layer: a weighted sum plus bias, then the activation function.",
       "층을 이루는 한 단위: 가중합에 편향을 더하고 활성화 함수를 적용합니다.",
       lecture="은닉층에 존재하는 뉴런의 일정 비율(하이퍼파라미터)",
       decision="'unit' is the same concept: 유닛 is avoided."),
    _t("hidden_layer", "hidden layer", "은닉층", ["은닉 층", "은닉 계층", "히든 레이어"],
       "A layer between the input and the output.",
       "입력층과 출력층 사이의 층.",
       lecture="지금까지는 은닉층, 이진분류(sigmoid)에 주로 쓰이는 활성화 함수들"),
    _t("weight", "weight", "가중치", ["웨이트"],
       "The factor on each input of a neuron; learned by training.",
       "뉴런의 각 입력에 곱하는 값. 학습으로 정해집니다.",
       lecture="모델에 존재하는 가중치를 초기화하는 것"),
    _t("bias", "bias", "편향", ["바이어스"],
       "The constant a neuron adds to its weighted sum; learned like a weight.",
       "뉴런이 가중합에 더하는 상수. 가중치처럼 학습됩니다.",
       decision="The lecture does not name the bias parameter in Korean; 편향 is the Korean DLFS "
                "word and the lecture's own word for a biased estimate (0으로 편향된 값)."),
    _t("parameter", "parameter", "파라미터", ["매개변수", "매개 변수"],
       "A number the network learns: every weight and bias.",
       "신경망이 학습하는 값: 모든 가중치와 편향.",
       lecture="손실 함수를 최소화하기 위해 파라미터를 조정(갱신)하기 위한 방법",
       decision="The lecture writes 파라미터 ten times and 매개변수 once."),
    _t("hyperparameter", "hyperparameter", "하이퍼파라미터", ["하이퍼 파라미터", "초매개변수"],
       "A setting chosen before training, not learned: learning rate, λ, dropout ratio, …",
       "학습 전에 정하고 학습되지 않는 설정: 학습률, λ, 드롭아웃 비율 등.",
       lecture="하이퍼파라미터(관성 계수) 추가 및 까다로움"),
    _t("loss", "loss function", "손실 함수", ["손실함수", "비용 함수", "오차 함수"],
       "The number training makes small: how far the predictions are from the targets.",
       "학습이 줄이려는 값: 예측이 정답에서 얼마나 먼지를 나타냅니다.",
       lecture="손실 함수를 최소화하기 위해",
       decision="The lecture writes both 손실 함수 and 손실함수; spaced like 활성화 함수."),
    _t("cross_entropy", "cross-entropy", "교차 엔트로피", ["크로스 엔트로피", "교차엔트로피"],
       "The classification loss −Σ t·log y: small when the right class gets a high probability.",
       "분류 손실 −Σ t·log y: 정답 클래스의 확률이 높을수록 작습니다.",
       decision="Not in the lecture; the Korean DLFS word."),
    _t("gradient", "gradient", "기울기",
       ["그래디언트", "그라디언트", "(?<!가속 )경사(?!하강법| 하강법)"],
       "The vector of partial derivatives of the loss: the direction it rises fastest.",
       "손실을 각 파라미터로 편미분한 벡터: 손실이 가장 빨리 커지는 방향.",
       lecture="손실 함수의 현재 위치에서 기울기(미분값)를 계산",
       decision="경사 only inside the fixed names 경사하강법 and 네스테로프 가속 경사."),
    _t("gradient_descent", "gradient descent", "경사하강법", ["경사 하강법"],
       "Repeatedly step against the gradient: W ← W − η·∂L/∂W.",
       "기울기의 반대 방향으로 계속 나아갑니다: W ← W − η·∂L/∂W.",
       lecture="경사하강법 단점"),
    _t("sgd", "stochastic gradient descent (SGD)", "확률적 경사하강법", [],
       "Gradient descent on the gradient of a random mini-batch instead of all the data.",
       "전체 데이터 대신 무작위 미니배치의 기울기로 하는 경사하강법.",
       decision="The lecture names it in English; 확률적 + the lecture's 경사하강법."),
    _t("update", "update (of a parameter)", "갱신", ["업데이트"],
       "One change of the parameters by the optimizer, e.g. W ← W − η·∂L/∂W.",
       "옵티마이저가 파라미터를 한 번 바꾸는 것, 예: W ← W − η·∂L/∂W.",
       lecture="이전의 갱신 값 고려하여 더욱 빠르게 갱신 가능",
       decision="The lecture writes 갱신 eight times and 업데이트 four times."),
    _t("learning_rate", "learning rate", "학습률", ["학습율", "러닝 레이트"],
       "η (α): how far one update moves along the negative gradient.",
       "η (α): 갱신 한 번이 기울기 반대 방향으로 얼마나 나아가는지.",
       lecture="α : 학습률"),
    _t("step_size", "step size", "보폭", ["스텝사이즈", "스텝 사이즈", "스텝 크기"],
       "The length of one update; adaptive optimizers change it per coordinate.",
       "갱신 한 번의 길이. 적응적 옵티마이저는 좌표마다 바꿉니다.",
       lecture="갈수록 보폭을 줄여 세밀히 탐색",
       decision="The lecture writes 보폭 five times and 스텝사이즈 twice."),
    _t("optimizer", "optimizer", "옵티마이저", ["최적화기", "옵티마이져"],
       "The rule that turns gradients into updates (SGD, Momentum, AdaGrad, Adam, …).",
       "기울기를 갱신으로 바꾸는 규칙 (SGD, Momentum, AdaGrad, Adam 등).",
       decision="The lecture writes 'Optimizer' in Latin letters; its Korean transliteration."),
    _t("momentum", "momentum", "모멘텀", ["(?<![=\\w.])momentum(?![=\\w])", "운동량"],
       "Keep a velocity V ← m·V − η·g of past updates, so the path keeps its direction.",
       "지난 갱신의 속도 V ← m·V − η·g를 유지해서 경로가 방향을 잃지 않게 합니다.",
       lecture="모멘텀 방법에 비해 진동 폭 감소",
       decision="The lecture explains it as 관성 (inertia) and calls m 관성 계수; the method is 모멘텀. "
                "The optimizer's name Momentum stays in Latin letters like SGD."),
    _t("moving_average", "moving average (exponential)", "이동평균", ["이동 평균"],
       "An average that forgets old values step by step: v ← β·v + (1 − β)·x.",
       "오래된 값을 조금씩 잊는 평균: v ← β·v + (1 − β)·x.",
       lecture="지수 이동평균을 활용하여"),
    _t("bias_correction", "bias correction", "편향 보정", ["편향 수정", "바이어스 보정"],
       "Adam divides M and V by 1 − βᵗ: their estimates start biased toward 0.",
       "Adam은 M과 V를 1 − βᵗ로 나눕니다: 처음의 추정값은 0 쪽으로 편향되어 있기 때문입니다.",
       decision="The lecture says the early estimates are 0으로 편향된; correcting that is 편향 보정."),
    _t("local_minimum", "local minimum", "극솟값",
       ["국소 최솟값", "지역 최솟값", "극소값", "극소점", "로컬 미니멈"],
       "A point lower than everything around it, but not the lowest overall.",
       "주변보다 낮지만 전체에서 가장 낮지는 않은 점.",
       lecture="극솟값이나 안장점에서 학습이 중단될 수 있다",
       decision="The lecture once writes 극소점; 극솟값 three times."),
    _t("saddle_point", "saddle point", "안장점", ["안장 점", "말안장점"],
       "A point with zero gradient that is a minimum in one direction and a maximum in another.",
       "기울기가 0이지만 한 방향으로는 최솟값, 다른 방향으로는 최댓값인 점.",
       lecture="극솟값이나 안장점에서 학습이 중단될 수 있다"),
    _t("curvature", "curvature", "곡률", ["굴곡도"],
       "How fast the slope changes; x²/20 + y² is 20× more curved along y (width ratio √20).",
       "기울기가 바뀌는 빠르기. x²/20 + y²는 y 방향 곡률이 20배입니다 (폭의 비는 √20).",
       decision="Not in the lecture; the usual Korean word. See WRONG_PHRASES for the 20:1 valley."),
    _t("vanishing_gradient", "vanishing gradient", "기울기 소실",
       ["경사 소실", "그래디언트 소실", "기울기 손실"],
       "The gradient shrinks layer by layer on its way back, so early layers barely learn.",
       "역전파되는 기울기가 층마다 줄어들어 앞쪽 층이 거의 학습되지 않는 현상.",
       decision="The lecture writes 'Gradient vanishing' and explains it as 기울기가 사라지는 문제; "
                "기울기 소실 is that in two words."),
    _t("saturation", "saturation", "포화", [],
       "A sigmoid or tanh output stuck near its limits, where its derivative is ≈ 0.",
       "시그모이드나 tanh의 출력이 양 끝에 몰려 미분값이 ≈ 0인 상태.",
       decision="Not in the lecture; the usual Korean word."),
    _t("backprop", "backpropagation", "역전파", ["백프로파게이션", "역전달"],
       "Computing every ∂L/∂w from the output back to the input with the chain rule.",
       "연쇄 법칙으로 출력에서 입력 쪽으로 모든 ∂L/∂w를 구하는 방법.",
       lecture="역전파에서의 활성화 함수 역할"),
    _t("forward", "forward pass", "순전파", ["정방향 전파"],
       "Computing the network's output from its input, layer by layer.",
       "입력에서 층마다 차례로 신경망의 출력을 계산하는 과정.",
       lecture="순전파에서의 활성화 함수 역할"),
    _t("chain_rule", "chain rule", "연쇄 법칙", ["연쇄법칙", "체인 룰"],
       "The derivative of a composition is the product of the local derivatives.",
       "합성함수의 미분은 국소 미분들의 곱입니다.",
       decision="Not in the lecture; the Korean DLFS word."),
    _t("initialization", "weight initialization", "가중치 초기화", ["웨이트 초기화"],
       "Drawing the starting weights: std 0.01, Xavier, He, …",
       "처음 가중치를 뽑는 것: 표준편차 0.01, Xavier, He 등.",
       lecture="가중치 초기화 방법"),
    _t("initial_value", "initial value", "초기값", ["초깃값"],
       "The value a weight starts training from.",
       "학습을 시작할 때 가중치가 가지는 값.",
       lecture="초기값 의존도 감소",
       decision="The lecture's spelling 초기값, not the dictionary's 초깃값."),
    _t("mini_batch", "mini-batch", "미니배치", ["미니 배치"],
       "The few samples one update's gradient is computed on.",
       "갱신 한 번의 기울기를 계산하는 적은 수의 샘플.",
       lecture="이름과 같이 미니배치를 단위로 정규화 한다",
       decision="The lecture writes 미니배치 and once 미니 배치; one word."),
    _t("epoch", "epoch", "에폭", ["에포크", "에퐄"],
       "One pass of training over all the training data.",
       "학습 데이터 전체를 한 번 도는 학습.",
       decision="Not in the lecture; the Korean DLFS transliteration."),
    _t("training_data", "training data", "학습 데이터", ["훈련 데이터"],
       "The samples the parameters are fitted to.",
       "파라미터를 맞추는 데 쓰는 샘플.",
       decision="Not in the lecture; 학습 like the lecture's 학습."),
    _t("validation_data", "validation data", "검증 데이터", ["검증 세트", "검증 집합", "밸리데이션"],
       "Held-out training samples used to choose hyperparameters (never the test data).",
       "하이퍼파라미터를 고를 때 쓰는, 학습에서 떼어 둔 데이터 (테스트 데이터가 아님).",
       decision="Not in the lecture; the Korean DLFS word (§6.5)."),
    _t("test_data", "test data", "테스트 데이터", ["시험 데이터"],
       "Samples never trained on: how well the network generalizes.",
       "학습에 쓰지 않은 샘플: 신경망이 얼마나 일반화하는지 보여 줍니다.",
       decision="Not in the lecture; the Korean DLFS word."),
    _t("overfitting", "overfitting", "오버피팅", ["과적합", "과대적합", "오버 피팅"],
       "Fitting the training data so closely that the test accuracy falls behind.",
       "학습 데이터에 지나치게 맞춰져 테스트 정확도가 뒤처지는 현상.",
       lecture="오버피팅 억제 (드롭아웃 필요성 감소)"),
    _t("regularization", "regularization", "오버피팅 억제", ["정칙화", "규제화"],
       "Techniques against overfitting: weight decay, dropout, …",
       "오버피팅을 막는 기법: 가중치 감소, 드롭아웃 등.",
       lecture="오버피팅 억제",
       decision="The lecture's heading for weight decay and dropout; 정규화 stays the word for "
                "normalization (배치 정규화)."),
    _t("penalty", "penalty", "페널티", ["벌점", "패널티", "벌칙"],
       "A term added to the loss that grows with the weights: ½λ‖W‖² (L2) or λ‖W‖₁ (L1).",
       "가중치가 클수록 커지도록 손실에 더하는 항: ½λ‖W‖² (L2) 또는 λ‖W‖₁ (L1).",
       decision="The lecture writes 패널티 (큰 패널티를 부여); the official loanword spelling "
                "(국립국어원) is 페널티."),
    _t("weight_decay", "weight decay", "가중치 감소", ["가중치 감쇠", "가중치감소"],
       "The L2 penalty: every update also shrinks the weights by η·λ·W.",
       "L2 페널티: 갱신할 때마다 가중치를 η·λ·W만큼 더 줄입니다.",
       lecture="가중치 감소 (Weight Decay)"),
    _t("dropout", "dropout", "드롭아웃", ["드랍아웃", "드롭 아웃"],
       "In training, switch off a random share of hidden neurons at every step.",
       "학습할 때 단계마다 은닉층 뉴런의 일부를 무작위로 끕니다.",
       lecture="드롭아웃의 장점"),
    _t("batch_norm", "batch normalization", "배치 정규화", ["배치정규화", "배치 노멀라이제이션", "배치 놈"],
       "Normalize every neuron over the mini-batch, then scale by γ and shift by β.",
       "뉴런마다 미니배치 단위로 정규화한 뒤 γ를 곱하고 β를 더합니다.",
       lecture="배치 정규화 (Batch Normalization)"),
)

BY_KEY = {term.key: term for term in TERMS}


def terms() -> tuple[Term, ...]:
    """Every concept, in teaching order (the order of the Help ▸ Glossary table)."""
    return TERMS


#: Wrong statements the catalogue must not make, whatever the words: (pattern, write instead, why).
WRONG_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("폭이 20:1", "곡률이 20배 (폭의 비는 √20)",
     "x²/20 + y² has a 20:1 CURVATURE ratio; the valley's width ratio is √20 ≈ 4.5"),
)


@dataclass(frozen=True)
class Violation:
    """An avoided variant or a wrong phrase found in a Korean text."""

    variant: str  # the text that matched
    use: str      # what to write instead
    reason: str


def violations(text: str) -> list[Violation]:
    """Every avoided variant and wrong phrase in ``text`` (a Korean string), with what to use."""
    found = []
    for term in TERMS:
        for pattern in term.avoid:
            for match in re.finditer(pattern, text):
                found.append(Violation(match.group(0), term.ko, f"one Korean word for '{term.en}'"))
    for pattern, use, reason in WRONG_PHRASES:
        for match in re.finditer(pattern, text):
            found.append(Violation(match.group(0), use, reason))
    return found


def avoided_words(term: Term) -> list[str]:
    """``term.avoid`` as words a student can read: look-arounds dropped, optional spaces shown."""
    words = []
    for pattern in term.avoid:
        word = re.sub(r"\(\?<?[!=][^)]*\)", "", pattern).replace(" ?", " ").strip()
        if word not in words:
            words.append(word)
    return words


def matches(term: Term, needle: str, lang: str) -> bool:
    """True if the Help filter ``needle`` occurs in ``term``: its English and Korean term, the
    definition in ``lang`` or an avoided word (typing 과적합 finds 오버피팅)."""
    needle = needle.strip().casefold()
    if not needle:
        return True
    definition = term.definition_ko if lang == "ko" else term.definition_en
    texts = (term.en, term.ko, definition, *avoided_words(term))
    return any(needle in text.casefold() for text in texts)


# ---- respelling: the mechanical part of fixing a catalogue --------------------------------------
#: Korean particles that depend on the preceding syllable: (after a final consonant, after a vowel).
PARTICLES = (("으로", "로"), ("이라", "라"), ("이나", "나"), ("이", "가"), ("을", "를"), ("은", "는"), ("과", "와"))
#: An optional parenthesis, then an optional particle (신경망(은닉층 하나)을: the particle fits 신경망).
_PARTICLE = r"(?P<paren>\([^()]*\))?(?P<particle>(?:{})(?![가-힣]))?".format(
    "|".join(f for pair in PARTICLES for f in pair))


def _final_consonant(syllable: str) -> int:
    """The index of the final consonant (받침) of a Hangul syllable, 0 if it has none."""
    code = ord(syllable) - 0xAC00
    return code % 28 if 0 <= code < 11172 else 0


def attach(word: str, particle: str) -> str:
    """``word`` + ``particle`` in the form its last syllable needs: 갱신+를 → 갱신을, 신경망+로 → 신경망으로."""
    final = _final_consonant(word[-1])
    for with_final, without in PARTICLES:
        if particle in (with_final, without):
            use_final = final and not (with_final == "으로" and final == 8)  # ㄹ takes 로
            return word + (with_final if use_final else without)
    return word + particle


def _respelled(word: str, paren: str, particle: str) -> str:
    with_particle = attach(word, particle)
    return word + paren + with_particle[len(word):]


def respell(text: str) -> str:
    """``text`` with every avoided variant replaced by the glossary's term and the particle after
    it fitted to the new word (네트워크가 → 신경망이, 네트워크(…)를 → 신경망(…)을). Wrong phrases (``WRONG_PHRASES``) need a
    person; ``violations`` still reports them. Read every changed sentence: a tool cannot tell a
    software update (업데이트) from a parameter update."""
    for term in TERMS:
        for pattern in term.avoid:
            text = re.sub(pattern + _PARTICLE,
                          lambda m, ko=term.ko: _respelled(ko, m.group("paren") or "", m.group("particle") or ""),
                          text)
    return text


def respell_file(path) -> list[tuple[str, str, str]]:
    """Respell every value of a flat ``{"English": "한국어"}`` JSON file in place; returns the
    ``(key, old, new)`` of every changed value."""
    import json
    from pathlib import Path

    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    changes = [(key, value, respell(value)) for key, value in data.items() if respell(value) != value]
    if changes:
        data.update({key: new for key, _old, new in changes})
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return changes


if __name__ == "__main__":  # python -m app.glossary resources/i18n/ko/<file>.json ...
    import sys

    for name in sys.argv[1:]:
        for key, old, new in respell_file(name):
            print(f"{name}: {key!r}\n  - {old}\n  + {new}")
