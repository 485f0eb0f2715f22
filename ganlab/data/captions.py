"""Captions for rendered digits: a small closed grammar (text to image, Reed et al. 2016).

`captioned_digits` renders digits with `ganlab.data.images.render_digit`
and records what the renderer knows about each image, its *facts*:

| fact     | values                     | from the renderer                                  |
|----------|----------------------------|----------------------------------------------------|
| digit    | 0-9                        | the glyph                                          |
| family   | sans, serif, mono          | DejaVu Sans, DejaVu Serif, DejaVu Sans Mono        |
| weight   | bold, light                | the Bold face or the Book (regular) face           |
| tilt     | left, right                | rotation of +8..+16 (left) or -16..-8 degrees      |

(no italic faces and no shear, so the slant is the rotation's alone; zoom
and shift are jittered as in `printed_digits`). A caption says all four
facts in one of several phrasings: `TRAIN_TEMPLATES` are the phrasings seen
in training, `HELDOUT_TEMPLATES` phrasings never seen in training (new word
orders and frames over the same vocabulary), and each fact has synonyms
(`SYNONYMS`), drawn at random. For example "a bold serif seven, tilted
left" and "7 printed heavy in roman type, slanted to the left" describe the
same image.

The vocabulary is closed (`VOCABULARY`): `tokenize` rejects any other word
in one line naming it. Generation is deterministic under a seed.
"""

import functools
import re

import numpy as np

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

FAMILIES = ("sans", "serif", "mono")
WEIGHTS = ("bold", "light")
TILTS = ("left", "right")

FONT_FILES = {
    ("sans", "light"): "DejaVuSans.ttf",
    ("sans", "bold"): "DejaVuSans-Bold.ttf",
    ("serif", "light"): "DejaVuSerif.ttf",
    ("serif", "bold"): "DejaVuSerif-Bold.ttf",
    ("mono", "light"): "DejaVuSansMono.ttf",
    ("mono", "bold"): "DejaVuSansMono-Bold.ttf",
}
"""The matplotlib font file of each (family, weight)."""

TILT_DEGREES = (8.0, 16.0)
"""|rotation| range; "left" is counter-clockwise (the top leans left), "right" clockwise."""

SYNONYMS = {
    "weight": {"bold": ("bold", "heavy", "thick"), "light": ("light", "thin", "regular")},
    "family": {"sans": ("sans", "plain"), "serif": ("serif", "roman"),
               "mono": ("mono", "typewriter")},
    "tilt": {"left": ("left",), "right": ("right",)},
    "digit": {d: (word, str(d)) for d, word in enumerate(DIGIT_WORDS)},
}
"""The words each fact's value may be said with."""

TRAIN_TEMPLATES = (
    "a {weight} {family} {digit} tilted {tilt}",
    "the digit {digit} in a {weight} {family} font leaning {tilt}",
    "{digit} printed {weight} in {family} type slanted to the {tilt}",
    "a {digit} rotated {tilt} {weight} and {family}",
)
"""Phrasings of the training captions."""

HELDOUT_TEMPLATES = (
    "{weight} {family} type the digit {digit} leaning to the {tilt}",
    "tilted {tilt} a {family} {digit} in {weight}",
)
"""Phrasings never used in training: held out for the lab's figures and bar."""

MAX_WORDS = 12
"""Token sequences are padded (with 0) or rejected beyond this length."""

SPLIT_SIZES = {"train": 3000, "test": 600}
_SEEDS = {"train": 131, "test": 132}


def _template_words():
    words = set()
    for t in TRAIN_TEMPLATES + HELDOUT_TEMPLATES:
        words |= {w for w in t.split() if not w.startswith("{")}
    for table in SYNONYMS.values():
        for options in table.values():
            words |= set(options)
    return words


VOCABULARY = ("<pad>",) + tuple(sorted(_template_words()))
"""The closed vocabulary; index 0 is the padding."""

_INDEX = {w: i for i, w in enumerate(VOCABULARY)}


def tokenize(caption):
    """A caption's word ids, padded to `MAX_WORDS` (int32).

    Lower-cased; commas, colons and full stops are ignored.

    Raises:
        ValueError: for a word outside `VOCABULARY` (one line, naming the
            word), an empty caption, or more than `MAX_WORDS` words.

    Example:
        >>> tokenize("a bold serif seven, tilted left")[:6].tolist() == [
        ...     VOCABULARY.index(w) for w in "a bold serif seven tilted left".split()]
        True
    """
    if not isinstance(caption, str):
        raise ValueError(f"`caption` must be a string. Received: caption={caption!r}")
    words = re.sub(r"[,.:;]", " ", caption.lower()).split()
    if not words:
        raise ValueError(f"`caption` is empty. Received: caption={caption!r}")
    for w in words:
        if w not in _INDEX:
            raise ValueError(f"unknown word {w!r} in caption {caption!r}: the vocabulary is "
                             f"closed ({len(VOCABULARY) - 1} words, ganlab.data.captions.VOCABULARY)")
    if len(words) > MAX_WORDS:
        raise ValueError(f"`caption` has {len(words)} words; at most {MAX_WORDS} are allowed. "
                         f"Received: caption={caption!r}")
    ids = np.zeros(MAX_WORDS, "int32")
    ids[: len(words)] = [_INDEX[w] for w in words]
    return ids


def tokenize_all(captions):
    """`tokenize` each caption: (n, MAX_WORDS) int32."""
    return np.stack([tokenize(c) for c in captions])


def caption(facts, template, rng):
    """One caption of `facts` ({digit, family, weight, tilt}) in `template`, synonyms drawn by `rng`."""
    words = {}
    for key in ("digit", "family", "weight", "tilt"):
        options = SYNONYMS[key][facts[key]]
        words[key] = options[int(rng.integers(len(options)))]
    return template.format(**words)


def _check_split(arg, value, allowed):
    if value not in allowed:
        raise ValueError(f"`{arg}` must be one of {allowed}. Received: {arg}={value!r}")


def captions_for(facts, phrasing="train", seed=0):
    """One caption per image, deterministic under `seed`.

    Args:
        facts: the facts of `captioned_digits` (dict of arrays).
        phrasing: "train" (`TRAIN_TEMPLATES`) or "heldout" (`HELDOUT_TEMPLATES`).
        seed: seed of the template and synonym draws.

    Returns:
        A list of strings.

    Raises:
        ValueError: for an unknown phrasing.
    """
    _check_split("phrasing", phrasing, ("train", "heldout"))
    templates = TRAIN_TEMPLATES if phrasing == "train" else HELDOUT_TEMPLATES
    rng = np.random.default_rng(seed)
    out = []
    for i in range(len(facts["digit"])):
        one = {k: (int(facts[k][i]) if k == "digit" else str(facts[k][i]))
               for k in ("digit", "family", "weight", "tilt")}
        out.append(caption(one, templates[int(rng.integers(len(templates)))], rng))
    return out


def draw_facts(n, rng):
    """n random fact tuples: digits balanced over 0-9, the rest uniform."""
    digits = np.arange(n) % 10
    rng.shuffle(digits)
    return {
        "digit": digits.astype("int32"),
        "family": np.asarray(FAMILIES)[rng.integers(0, len(FAMILIES), n)],
        "weight": np.asarray(WEIGHTS)[rng.integers(0, len(WEIGHTS), n)],
        "tilt": np.asarray(TILTS)[rng.integers(0, len(TILTS), n)],
    }


def render_facts(facts, image_size=16, rng=None):
    """Render one image per fact tuple: (n, S, S, 1) float32 in [-1, 1] and the angles (degrees)."""
    from ganlab.data.images import render_digit

    rng = np.random.default_rng(0) if rng is None else rng
    images, angles = [], []
    for d, fam, wt, tilt in zip(facts["digit"], facts["family"], facts["weight"], facts["tilt"],
                                strict=True):
        a = rng.uniform(*TILT_DEGREES) * (1.0 if tilt == "left" else -1.0)
        images.append(render_digit(int(d), FONT_FILES[(str(fam), str(wt))], image_size, rng,
                                   angle=a, shear=0.0))
        angles.append(a)
    return np.stack(images)[..., None], np.asarray(angles, "float32")


@functools.lru_cache(maxsize=4)
def _cached(split, image_size):
    rng = np.random.default_rng(_SEEDS[split])
    facts = draw_facts(SPLIT_SIZES[split], rng)
    images, angles = render_facts(facts, image_size, rng)
    facts["angle"] = angles
    images.setflags(write=False)
    return images, facts


def captioned_digits(split="train", image_size=16):
    """The captioned digits of a split: (images, facts).

    Args:
        split: "train" (3,000 images) or "test" (600, never trained on).
        image_size: one of 8, 16, 28, 32.

    Returns:
        images (n, S, S, 1) float32 in [-1, 1], ink = +1; facts: a dict of
        arrays `digit` (int32), `family`, `weight`, `tilt` (strings) and
        `angle` (degrees, + = counter-clockwise).

    Raises:
        ValueError: for an unknown split or size.
    """
    from ganlab.data.images import DIGIT_SIZES

    _check_split("split", split, ("train", "test"))
    _check_split("image_size", image_size, DIGIT_SIZES)
    images, facts = _cached(split, image_size)
    return images, {k: v.copy() for k, v in facts.items()}


def fact_ids(facts):
    """One integer per distinct (digit, family, weight, tilt): 0 .. 119."""
    fam = np.array([FAMILIES.index(str(f)) for f in facts["family"]], int)
    wt = (np.asarray(facts["weight"]) == "light").astype(int)
    tl = (np.asarray(facts["tilt"]) == "right").astype(int)
    return ((np.asarray(facts["digit"]) * 3 + fam) * 2 + wt) * 2 + tl
