"""Held-out phrasings: the ways people write a scene's prompt that the training captions (scenes.caption) never use —
synonyms and degree words for the size, "corner/side/upper/lower/middle/centre" for the position, a colour without
the word "background", "there is / 有 / 画着 / 位于 / 背景为", other punctuation and filler words. They are kept out of
training so that a model trained on richer captions can be measured on wordings it has not seen."""
import random

from .vocabulary import COLOURS, OBJECTS, POSITIONS, SIZES

# Per size (small, large).
SIZE_EN = [["tiny", "little", "small"], ["big", "huge", "large"]]
SIZE_ZH = [["小", "很小的", "小小的"], ["大", "很大的", "大大的"]]

# Per 3×3 cell, row-major, as POSITIONS.
POSITION_EN = [
    ["in the upper left", "in the top left corner", "top-left"],
    ["at the top", "in the upper middle", "near the top edge"],
    ["in the upper right", "in the top right corner", "top-right"],
    ["on the left side", "at the left", "middle left"],
    ["in the middle", "in the centre", "centred"],
    ["on the right side", "at the right", "middle right"],
    ["in the lower left", "in the bottom left corner", "bottom-left"],
    ["at the bottom", "in the lower middle", "near the bottom edge"],
    ["in the lower right", "in the bottom right corner", "bottom-right"],
]
POSITION_ZH = [
    ["左上角", "左上方"],
    ["顶部", "上面中间"],
    ["右上角", "右上方"],
    ["左侧", "靠左的地方"],
    ["正中间", "中央"],
    ["右侧", "靠右的地方"],
    ["左下角", "左下方"],
    ["底部", "下面中间"],
    ["右下角", "右下方"],
]

TEMPLATES_EN = [
    "a {size} {object} {position}, on {colour}",
    "there is a {size} {object} {position} on a plain {colour} backdrop",
    "picture of a {size} {object} {position}. {colour} background",
    "{size} {object} {position}, against {colour}",
    "an image with a {size} {object} {position} and a {colour} background",
    "{colour} image, a {size} {object} {position}",
]
TEMPLATES_ZH = [
    "{colour}背景，{position}有一个{size}{object}",
    "一个{size}{object}位于{position}，背景为{colour}",
    "在{colour}的背景上，{position}画着一个{size}{object}",
    "{position}是一个{size}{object}，{colour}背景",
    "画面的{position}有{size}{object}，底色是{colour}",
    "{colour}底色的图片，{position}画着{size}{object}",
]


# Two objects, the first on the left ("beside") or on top ("above"), worded without the background.
PAIR_TEMPLATES_EN = {
    "beside": ["{a} with {b} on its right", "{b} with {a} on its left", "on the left {a}, on the right {b}"],
    "above": ["{a} with {b} underneath it", "{b} with {a} above it", "at the top {a}, at the bottom {b}"],
}
PAIR_TEMPLATES_ZH = {
    "beside": ["{a}的右边有一个{b}", "{b}的左边是{a}", "{a}位于左侧，{b}位于右侧"],
    "above": ["{a}的下面有一个{b}", "{b}的上面是{a}", "{a}位于上方，{b}位于下方"],
}


def article(word):
    """The English indefinite article for a word, by its first letter."""
    return "an" if word[:1] in "aeiou" else "a"


def phrase_pair(scene, language, template):
    """A held-out wording of a two-object scene."""
    a, b = (OBJECTS[p.object_id] for p in scene.placements)
    if language == "en":
        return PAIR_TEMPLATES_EN[scene.relation][template].format(a=f"{article(a['en'])} {a['en']}", b=f"{article(b['en'])} {b['en']}")
    return PAIR_TEMPLATES_ZH[scene.relation][template].format(a=a["zh"], b=b["zh"])


def phrased_pairs(pairs, language):
    """One held-out wording per pair, its relation's templates taken in turn."""
    return [phrase_pair(scene, language, i % 3) for i, scene in enumerate(pairs)]


def phrase(scene, language, rng, template=None):
    """A held-out wording of a single-object scene with every attribute stated; `template` picks one, else drawn."""
    p = scene.placements[0]
    obj = OBJECTS[p.object_id]
    colour_en, colour_zh, _ = COLOURS[scene.colour]
    if language == "en":
        text = TEMPLATES_EN[template if template is not None else rng.randrange(len(TEMPLATES_EN))]
        return text.format(size=rng.choice(SIZE_EN[p.size]), object=obj["en"], position=rng.choice(POSITION_EN[p.position]), colour=colour_en)
    text = TEMPLATES_ZH[template if template is not None else rng.randrange(len(TEMPLATES_ZH))]
    # The size joins the noun as the captions write it (大猫脸; 很大的 and 大大的 carry their own 的).
    text = text.replace("{size}{object}", rng.choice(SIZE_ZH[p.size]) + obj["zh"])
    return text.format(position=rng.choice(POSITION_ZH[p.position]), colour=colour_zh)


def phrased_prompts(held_out, language, seed=20261203):
    """One held-out wording per scene, the templates taken in turn so each is used equally."""
    rng = random.Random(seed)
    count = len(TEMPLATES_EN if language == "en" else TEMPLATES_ZH)
    return [phrase(scene, language, rng, i % count) for i, scene in enumerate(held_out)]


assert len(POSITION_EN) == len(POSITION_ZH) == len(POSITIONS) and len(SIZE_EN) == len(SIZE_ZH) == len(SIZES)
