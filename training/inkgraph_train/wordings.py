"""Training wordings: the many ways a prompt can say what a scene holds, for teaching the text encoder to read people
rather than templates (training/distill_wordings.py). Synonyms and degree words for the size; "corner/side/upper/lower/
middle/centre" for the position; a colour with or without "background"; "there is / 有 / 画着 / 位于 / 背景为";
other names for the objects; "beside/above/below/left of/right of" for two objects; punctuation and filler words.

The sentence frames here are not the held-out ones (phrasings.py): the words are shared — a word never trained on
cannot be understood — but no frame is, and `check_held_out_apart` refuses a recipe whose captions match one."""
import random
import re

from .phrasings import PAIR_TEMPLATES_EN, article, PAIR_TEMPLATES_ZH, POSITION_EN as HELD_POSITION_EN, POSITION_ZH as HELD_POSITION_ZH, SIZE_EN as HELD_SIZE_EN, SIZE_ZH as HELD_SIZE_ZH, TEMPLATES_EN as HELD_EN, TEMPLATES_ZH as HELD_ZH
from .vocabulary import COLOURS, OBJECTS, POSITIONS, SIZES

# ---- words -------------------------------------------------------------------------------------------------------

# Per size (small, large): the word before the noun.
SIZE_EN = [
    ["small", "tiny", "little", "mini", "smallish", "very small", "really small", "quite small", "very tiny", "teeny"],
    ["large", "big", "huge", "giant", "very big", "really big", "quite large", "very large", "enormous", "oversized"],
]
SIZE_ZH = [
    ["小", "很小的", "小小的", "小型", "迷你", "非常小的", "特别小的", "一个小小的"],
    ["大", "很大的", "大大的", "巨大的", "超大的", "大型", "非常大的", "特别大的"],
]

# Per 3×3 cell, row-major as POSITIONS: the row's and the column's words.
ROW_EN = [["top", "upper"], [], ["bottom", "lower"]]
COLUMN_EN = [["left"], [], ["right"]]
CENTRE_EN = ["in the center", "in the centre", "in the middle", "at the center", "at the centre", "centered", "in the very middle", "right in the middle"]


def positions_en(cell):
    """Every training phrase for a cell of the 3×3 grid."""
    row, column = divmod(cell, 3)
    if cell == 4:
        return CENTRE_EN
    phrases = [POSITIONS[cell][0]]
    if row != 1 and column != 1:
        for r in ROW_EN[row]:
            for c in COLUMN_EN[column]:
                phrases += [f"at the {r} {c}", f"in the {r} {c}", f"{r} {c}", f"{r}-{c}", f"in the {r} {c} corner", f"at the {r}-{c} corner", f"{r} {c} corner", f"in the {r}-{c}"]
    elif row == 1:
        side = COLUMN_EN[column][0]
        phrases += [f"on the {side}", f"on the {side} side", f"to the {side}", f"at the {side} side", f"{side}", f"{side} side", f"in the middle {side}", f"at the {side} edge", f"on the {side}-hand side", f"center {side}"]
    else:
        for r in ROW_EN[row]:
            phrases += [f"at the {r}", f"at the {r} middle", f"in the {r} middle", f"{r} center", f"{r} centre", f"at the {r} edge", f"near the {r}", f"{r} middle", f"at the {r} center"]
        phrases += ["at the very top", "top"] if row == 0 else ["at the very bottom", "bottom"]
    return phrases


POSITION_ZH = [
    ["左上", "左上角", "左上方", "左上边", "左上部", "画面左上角"],
    ["上方", "上面", "顶部", "上边", "正上方", "上部", "上面中间", "顶端"],
    ["右上", "右上角", "右上方", "右上边", "右上部", "画面右上角"],
    ["左边", "左侧", "左面", "左方", "靠左", "最左边", "中间靠左"],
    ["中间", "正中间", "中央", "中心", "正中", "正中央", "画面中间"],
    ["右边", "右侧", "右面", "右方", "靠右", "最右边", "中间靠右"],
    ["左下", "左下角", "左下方", "左下边", "左下部", "画面左下角"],
    ["下方", "下面", "底部", "下边", "正下方", "下部", "下面中间", "底端"],
    ["右下", "右下角", "右下方", "右下边", "右下部", "画面右下角"],
]

# Other names people use for the objects (the first name, from OBJECTS, is the one the base model learned). None
# carries a size (小猫, 大树): the size is the prompt's to say.
OBJECT_EN = {
    "apple": ["red apple"], "grapes": ["grape", "bunch of grapes"], "donut": ["doughnut"], "burger": ["hamburger", "cheeseburger"],
    "cat": ["kitty", "kitten", "cat face"], "dog": ["puppy", "doggy", "dog face"], "pig": ["piggy", "pig face"], "fish": ["fishy"],
    "tree": ["leafy tree"], "moon": ["crescent moon"], "star": ["yellow star"], "lightning": ["lightning bolt", "thunderbolt"],
    "fire": ["flame"], "car": ["automobile"], "airplane": ["plane", "aeroplane", "jet"], "sailboat": ["sailing boat", "boat"],
    "bicycle": ["bike"], "soccer ball": ["football"], "heart": ["red heart", "love heart"], "gift": ["present", "gift box"],
    "light bulb": ["lightbulb", "bulb", "lamp"], "trophy": ["cup", "gold cup"], "balloon": ["red balloon"], "house": ["home"],
    "rocket": ["spaceship"], "snowflake": ["snow flake"], "sun": ["sunshine"], "cloud": ["white cloud"],
}
OBJECT_ZH = {
    "红苹果": ["苹果"], "葡萄": ["一串葡萄"], "胡萝卜": ["萝卜"], "披萨": ["比萨", "匹萨"], "汉堡": ["汉堡包"], "甜甜圈": ["面包圈"],
    "猫脸": ["猫", "猫咪"], "狗脸": ["狗", "狗狗"], "猪头": ["猪"], "鱼": ["金鱼"],
    "落叶树": ["树"], "弯月": ["月亮", "月牙"], "星星": ["五角星"], "云": ["云朵", "白云"], "高压": ["闪电"],
    "火焰": ["火", "火苗"], "汽车": ["车", "轿车"], "房子": ["房屋"], "飞机": ["客机"], "帆船": ["船"],
    "自行车": ["单车"], "伞": ["雨伞"], "红心": ["爱心", "心"], "鬼": ["幽灵"], "礼物": ["礼盒", "礼品"], "灯泡": ["电灯泡"],
    "奖杯": ["金杯"], "太阳": ["日头"], "火箭": ["火箭筒"], "雪花": ["雪片"],
}
MEASURE_ZH = ["一个", "一只", "一颗", "个", ""]

COLOUR_ZH_SHORT = {"白色": "白", "黑色": "黑", "红色": "红", "橙色": "橙", "黄色": "黄", "绿色": "绿", "蓝色": "蓝", "紫色": "紫"}

FILLER_EN = ["cute", "simple", "nice", "cartoon", "emoji", "flat", "single", "one", "just", "please", "drawing of", "icon of", "clip art", "style", "colorful", "plain", "solid", "pretty"]
FILLER_ZH = ["可爱的", "简单的", "卡通", "图标", "请画", "画一个", "纯色", "漂亮的", "表情", "画", "图"]


def object_en(obj, rng):
    return rng.choice([obj["en"], obj["en"], *OBJECT_EN.get(obj["en"], [])])


def object_zh(obj, rng):
    return rng.choice([obj["zh"], obj["zh"], *OBJECT_ZH.get(obj["zh"], [])])


# ---- single objects ----------------------------------------------------------------------------------------------

def colour_phrase_en(colour, rng, leading):
    """The background colour as a phrase, with or without the word "background"."""
    if leading:
        return rng.choice([f"{colour} background", f"on {colour}", f"a {colour} background", f"{colour} backdrop", f"background {colour}", f"{colour} bg", f"solid {colour} background", f"the background is {colour}", f"over {colour}"])
    # No bare "on {colour}" after the noun: that is a held-out frame (phrasings.py), near enough to be the same.
    return rng.choice([f"on a {colour} background", f"on a plain {colour} background", f"against a {colour} background", f"with a {colour} background", f"over a {colour} background",
                       f"on solid {colour}", f"in front of a {colour} background", f"on a {colour} backdrop", f"with {colour} behind it", f"on a {colour}-colored background", f"and the background is {colour}"])


def single_en(scene, kept, rng):
    p = scene.placements[0]
    obj = OBJECTS[p.object_id]
    colour = COLOURS[scene.colour][0]
    name = object_en(obj, rng)
    noun = f"{rng.choice(SIZE_EN[p.size])} {name}" if kept["size"] else name
    if rng.random() < 0.25:
        noun = f"{rng.choice(FILLER_EN)} {noun}"
    position = rng.choice(positions_en(p.position)) if kept["position"] else ""
    a = article(noun)
    frame = rng.randrange(9)
    if frame == 0:  # a tiny cat at the top left on blue
        text = " ".join(filter(None, [f"{a} {noun}", position, colour_phrase_en(colour, rng, False) if kept["colour"] else ""]))
    elif frame == 1:  # blue background: a tiny cat at the top left
        text = (colour_phrase_en(colour, rng, True) + rng.choice([": ", "; ", " - ", ", "]) if kept["colour"] else "") + " ".join(filter(None, [f"{a} {noun}", position]))
    elif frame == 2:  # draw a tiny cat at the top left on blue
        text = rng.choice(["draw", "show", "make", "show me", "paint", "render", "generate"]) + " " + " ".join(filter(None, [f"{a} {noun}", position, colour_phrase_en(colour, rng, False) if kept["colour"] else ""]))
    elif frame == 3:  # a list in any order: cat, tiny, top left, blue
        parts = [name] + ([rng.choice(SIZE_EN[p.size])] if kept["size"] else []) + ([position] if position else []) + ([rng.choice([colour, f"{colour} background", f"{colour} bg"])] if kept["colour"] else [])
        rng.shuffle(parts)
        text = rng.choice([", ", "; ", " / ", " | ", ", "]).join(parts)
    elif frame == 4:  # a blue scene with a tiny cat at the top left
        text = (f"{article(colour)} {colour} {rng.choice(['scene', 'square', 'canvas', 'card', 'tile'])} with " if kept["colour"] else "") + " ".join(filter(None, [f"{a} {noun}", position]))
    elif frame == 5:  # at the top left, a tiny cat; blue background
        head = position + rng.choice([", ", " ", ": "]) if position else ""
        text = head + f"{a} {noun}" + (rng.choice(["; ", ". ", ", ", " - "]) + colour_phrase_en(colour, rng, True) if kept["colour"] else "")
    elif frame == 6:  # there's a tiny cat at the top left and the background is blue
        text = rng.choice(["there's", "there is", "here is", "we see", "you can see"]) + " " + " ".join(filter(None, [f"{a} {noun}", position]))
        text += (rng.choice([" and the background is ", ", the background is ", ", background colour ", ", background color "]) + colour) if kept["colour"] else ""
    elif frame == 7:  # the tiny cat sits at the top left of a blue square
        text = f"{rng.choice(['the', 'a', 'one'])} {noun} " + rng.choice(["sits", "is", "is placed", "appears", "floats", "stands"]) + (f" {position}" if position else "")
        text += (f" of {article(colour)} {colour} {rng.choice(['square', 'image', 'frame', 'canvas'])}" if position else f" on {article(colour)} {colour} {rng.choice(['square', 'canvas'])}") if kept["colour"] else ""
    else:  # tiny cat top left blue — terse keywords
        text = " ".join(filter(None, [noun, position, colour if kept["colour"] else ""]))
    text = text + rng.choice(["", "", "", ".", "!", " please"])
    return text if rng.random() < 0.85 else text.upper() if rng.random() < 0.3 else text.capitalize()


def single_zh(scene, kept, rng):
    p = scene.placements[0]
    obj = OBJECTS[p.object_id]
    colour = COLOURS[scene.colour][1]
    colour_word = rng.choice([colour, colour, COLOUR_ZH_SHORT[colour]])
    name = object_zh(obj, rng)
    size = rng.choice(SIZE_ZH[p.size]) if kept["size"] else ""
    noun = size + name
    if rng.random() < 0.2:
        noun = rng.choice(["可爱的", "简单的", "卡通", "漂亮的"]) + noun
    position = rng.choice(POSITION_ZH[p.position]) if kept["position"] else ""
    measure = rng.choice(MEASURE_ZH)
    comma = rng.choice(["，", "，", ",", "、", " ", "；"])
    background = rng.choice([f"{colour_word}背景", f"{colour_word}的背景", f"背景是{colour_word}", f"背景{colour_word}", f"{colour_word}底", f"底色{colour_word}", f"背景色为{colour_word}", f"背景颜色是{colour_word}"])
    frame = rng.randrange(9)
    if frame == 0:  # 蓝色背景，小猫在左上角
        text = (background + comma if kept["colour"] else "") + noun + (f"在{position}" if position else "")
    elif frame == 1:  # 背景是蓝色，左上角有一只小猫
        leading = rng.choice([f"背景是{colour_word}", f"背景为{colour_word}", f"背景{colour_word}", f"底色{colour_word}", f"背景颜色是{colour_word}"])
        text = (leading + comma if kept["colour"] else "") + (f"{position}有{measure}{noun}" if position else f"有{measure}{noun}")
    elif frame == 2:  # 画一只小猫在左上角，蓝色底色
        text = rng.choice(["画", "画一个", "请画", "生成", "给我画"]) + measure + noun + (f"在{position}" if position else "") + (comma + background if kept["colour"] else "")
    elif frame == 3:  # 小猫，左上角，蓝色背景（任意顺序）
        parts = [name] + ([size.rstrip("的") or size] if size else []) + ([position] if position else []) + ([rng.choice([background, colour_word])] if kept["colour"] else [])
        rng.shuffle(parts)
        text = comma.join(parts)
    elif frame == 4:  # 蓝色的背景上，左上角放着一只小猫
        text = (f"{colour_word}的背景上" + comma if kept["colour"] else "") + (position if position else "") + rng.choice(["放着", "摆着", "有"]) + measure + noun
    elif frame == 5:  # 小猫位于左上角，背景为蓝色
        text = rng.choice(["一只", "一颗", "", "有个"]) + noun + (f"位于{position}" if position else "") + (comma + rng.choice([f"背景是{colour_word}", f"底色为{colour_word}", f"背景色是{colour_word}"]) if kept["colour"] else "")
    elif frame == 6:  # 一个蓝色背景的图，左上角一只小猫
        text = (f"{colour_word}背景的{rng.choice(['图', '图片', '画', '画面'])}" + comma if kept["colour"] else "") + (position if position else "") + measure + noun
    elif frame == 7:  # 左上角：小猫；蓝色背景
        text = (position + rng.choice(["：", ":", "，", " "]) if position else "") + noun + (rng.choice(["；", "。", "，"]) + background if kept["colour"] else "")
    else:  # 在蓝色背景的左上角画着一只小猫
        text = ("在" + colour_word + "背景" + (f"的{position}" if position else "上") if kept["colour"] else (f"在{position}" if position else "")) + rng.choice(["画着", "有", "是"]) + measure + noun
    return text + rng.choice(["", "", "", "。", "！"])


# ---- two objects -------------------------------------------------------------------------------------------------

def pair_en(scene, kept, rng):
    first, second = (OBJECTS[p.object_id] for p in scene.placements)
    a, b = object_en(first, rng), object_en(second, rng)
    a, b = f"{article(a)} {a}", f"{article(b)} {b}"
    if scene.relation == "beside":  # first on the left
        body = rng.choice([f"{a} on the left and {b} on the right", f"{a} to the left of {b}", f"{b} to the right of {a}", f"{a} left of {b}", f"{b} right of {a}",
                           f"{a} beside {b}", f"{a} next to {b}, {a.split(' ', 1)[1]} on the left", f"{b} on the right, {a} on the left", f"{a} and {b} side by side",
                           f"{a} at left, {b} at right", f"left: {a}, right: {b}", f"{a} on the left side, {b} on the right side", f"{b} sitting to the right of {a}",
                           f"{a} to the left, {b} to the right", f"{a} is left of {b}", f"{b} is on the right of {a}", f"two things: {a} on the left, {b} on the right",
                           f"{a}, and to its right {b}", f"{b}, and to its left {a}", f"{a} and then {b}, left to right"])
    else:  # first above
        body = rng.choice([f"{a} above {b}", f"{b} below {a}", f"{a} over {b}", f"{b} under {a}", f"{b} beneath {a}", f"{a} on top and {b} at the bottom",
                           f"{b} at the bottom, {a} at the top", f"{a} on top of {b}", f"{a} stacked above {b}",
                           f"{a} at top, {b} at bottom", f"top: {a}, bottom: {b}", f"{a} on the top, {b} on the bottom", f"{b} is below {a}", f"{a} is above {b}",
                           f"{b} sitting under {a}", f"{a} up, {b} down", f"{a}, and below it {b}", f"{b}, and above it {a}", f"{a} and then {b}, top to bottom"])
    if not kept["colour"]:
        return body
    colour = COLOURS[scene.colour][0]
    return rng.choice([f"{body}, {colour} background", f"{body} on {colour}", f"{body} on a {colour} background", f"{colour} background: {body}", f"on {colour}, {body}"])


def pair_zh(scene, kept, rng):
    first, second = (OBJECTS[p.object_id] for p in scene.placements)
    a, b = object_zh(first, rng), object_zh(second, rng)
    if scene.relation == "beside":
        body = rng.choice([f"左边是{a}，右边是{b}", f"{a}在{b}的左边", f"{b}在{a}的右边", f"{a}在左，{b}在右", f"左边一个{a}，右边一个{b}", f"{a}和{b}并排，{a}在左边", f"{b}在右边，{a}在左边",
                           f"{a}在左边，{b}在右边", f"左：{a}，右：{b}", f"左侧是{a}，右侧是{b}", f"{b}在{a}右边", f"{a}在{b}左边", f"{a}和{b}，{a}在左", f"一个{a}和一个{b}，从左到右",
                           f"{a}，它的右边是{b}", f"{b}，它的左边是{a}"])
    else:
        body = rng.choice([f"{a}在{b}上面", f"{b}在{a}下面", f"{a}在{b}的上方", f"{b}在{a}的下方", f"上面是{a}，下面是{b}", f"{a}在上，{b}在下", f"下面是{b}，上面是{a}",
                           f"{a}在上面，{b}在下面", f"上：{a}，下：{b}", f"上方是{a}，下方是{b}", f"{b}在{a}下方", f"{a}在{b}上方", f"上边一个{a}，下边一个{b}", f"一个{a}和一个{b}，从上到下",
                           f"{a}，它的下面是{b}", f"{b}，它的上面是{a}"])
    if not kept["colour"]:
        return body
    colour = COLOURS[scene.colour][1]
    return rng.choice([f"{body}，{colour}背景", f"{colour}背景，{body}", f"{body}，背景是{colour}", f"背景为{colour}，{body}"])


def wording(scene, language, kept, rng):
    """A training wording of the scene that states exactly the `kept` attributes."""
    if scene.relation:
        return pair_en(scene, kept, rng) if language == "en" else pair_zh(scene, kept, rng)
    return single_en(scene, kept, rng) if language == "en" else single_zh(scene, kept, rng)


# ---- the words, for the vocabulary and the editor ----------------------------------------------------------------

def sample_wordings(count, seed=7):
    """Wordings of random scenes in both languages, every attribute stated or not."""
    from .scenes import random_scene

    rng = random.Random(seed)
    out = []
    for i in range(count):
        scene = random_scene(rng)
        kept = {name: rng.random() >= 0.25 for name in ("colour", "size", "position")}
        out.append(wording(scene, "en" if i % 2 == 0 else "zh", kept, rng))
    return out


def english_words():
    """Every English word a training wording can hold."""
    pieces = [w for sizes in SIZE_EN for w in sizes] + CENTRE_EN + [p for cell in range(9) for p in positions_en(cell)] + FILLER_EN
    pieces += [name for names in OBJECT_EN.values() for name in names]
    pieces += ["a", "an", "the", "on", "plain", "against", "with", "over", "in", "front", "of", "solid", "behind", "it", "colored", "and", "is", "backdrop", "bg",
               "background", "draw", "show", "me", "make", "paint", "render", "generate", "scene", "square", "canvas", "card", "tile", "there's", "there", "here",
               "we", "see", "you", "can", "colour", "color", "sits", "placed", "appears", "floats", "stands", "image", "frame", "one", "please", "to", "left", "right",
               "next", "beside", "side", "by", "below", "above", "under", "beneath", "top", "bottom", "stacked", "hand",
               "at", "is", "sitting", "two", "things", "its", "then", "up", "down"]
    return sorted({word for piece in pieces for word in re.findall(r"[a-z]+(?:'[a-z]+)?", piece.lower())})


def chinese_words():
    """Every Chinese piece a training wording is built of besides the names (a prompt's Han run is matched against
    these longest first)."""
    pieces = [w for sizes in SIZE_ZH for w in sizes] + [p for cell in POSITION_ZH for p in cell] + FILLER_ZH + [m for m in MEASURE_ZH if m]
    pieces += [name for names in OBJECT_ZH.values() for name in names] + list(COLOUR_ZH_SHORT.values())
    pieces += ["背景", "的背景", "背景是", "背景为", "背景色为", "背景颜色是", "底", "底色", "底色为", "在", "有", "画", "画一个", "请画", "生成", "给我画", "放着", "摆着", "画着", "是", "位于", "有个", "一只", "一颗", "背景色是",
               "背景的", "图", "图片", "画面", "背景上", "上", "下", "的", "左边", "右边", "左", "右", "上面", "下面", "上方", "下方", "并排", "和", "一个",
               "左侧", "右侧", "上边", "下边", "从左到右", "从上到下", "它的", "左边是", "右边是", "可爱的", "简单的", "卡通", "漂亮的"]
    return sorted(set(pieces))


# ---- kept apart from the held-out phrasings ----------------------------------------------------------------------

def _held_out_pattern(template, language):
    """A regular expression matching every wording of a held-out template (any object, colour, size, position)."""
    if language == "en":
        slots = {"size": [w for ws in HELD_SIZE_EN for w in ws], "position": [p for ps in HELD_POSITION_EN for p in ps], "colour": [c[0] for c in COLOURS]}
        slots["object"] = [o["en"] for o in OBJECTS]
    else:
        slots = {"size": [w for ws in HELD_SIZE_ZH for w in ws], "position": [p for ps in HELD_POSITION_ZH for p in ps], "colour": [c[1] for c in COLOURS]}
        slots["object"] = [o["zh"] for o in OBJECTS]
    pattern = re.escape(template)
    for name, words in slots.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")")
    return re.compile("^" + pattern + "$")


def _held_out_pair_pattern(template, language):
    names = [o[language] for o in OBJECTS] + [n for names in (OBJECT_EN if language == "en" else OBJECT_ZH).values() for n in names]
    name = "(?:" + ("an? " if language == "en" else "") + "(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + "))"
    return re.compile("^" + re.escape(template).replace(re.escape("{a}"), name).replace(re.escape("{b}"), name) + "$")


def check_held_out_apart(count=20000):
    """Refuses (raises) when a sampled training wording is worded as a held-out template would word it."""
    patterns = [_held_out_pattern(t, "en") for t in HELD_EN] + [_held_out_pattern(t, "zh") for t in HELD_ZH]
    patterns += [_held_out_pair_pattern(t, "en") for ts in PAIR_TEMPLATES_EN.values() for t in ts]
    patterns += [_held_out_pair_pattern(t, "zh") for ts in PAIR_TEMPLATES_ZH.values() for t in ts]
    for text in sample_wordings(count):
        for pattern in patterns:
            if pattern.match(text.lower().rstrip(".!。！ ").removesuffix(" please")):
                raise SystemExit(f"a training wording matches a held-out phrasing ({pattern.pattern[:60]}…): {text!r}")
    return count
