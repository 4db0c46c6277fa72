"""The offline ad planner: rules that read the prompt into a full AdPlan, deterministically.

- Product: a table of product types (watch, perfume, sneaker, phone, app, coffee, …) finds what is advertised;
  the words around it ("luxury watch") become the product phrase every scene shows.
- Tone: luxury, tech, eco, energetic, playful, calm, chill, cinematic or upbeat, from the wording first and the
  product type second. The tone picks the brand colours (luxury: deep navy and gold, eco: greens, …), the style
  keywords, the shared setting, the music mood (one of the music library's moods) and the colour grade.
- Framework: named in the prompt (AIDA, PAS, BAB) wins; problem wording ("tired of", "struggle", "fix") → PAS;
  aspiration wording ("transform", "dream", "become", "before and after") → BAB; otherwise AIDA.
- Brand name: quoted in the prompt, or after "called"/"named"/"brand"/"for", else one chosen from the tone's
  list by a stable hash of the prompt. Colours named in the prompt ("red", "emerald") become brand colours.
- Scenes: the framework's structure scaled to the length, with visual prompts (the product phrase plus the
  scene's job), motion prompts per scene type, overlays and transitions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.ads.frameworks import FRAMEWORKS
from pipeline.ads.frameworks import framework as get_framework
from pipeline.ads.plan import (
    AdPlan,
    Scene,
    check_prompt,
    structure_durations,
)
from pipeline.engines.text_match import stable_hash

PLANNER_NAME = "local-rules"


@dataclass(frozen=True)
class ProductType:
    key: str
    pattern: str
    noun: str  # what the scenes show when the prompt gives no better phrase
    tone: str  # default tone for this kind of product
    cta: str


PRODUCT_TYPES: tuple[ProductType, ...] = (
    ProductType("watch", r"smart ?watch(?:es)?", "smartwatch", "tech", "Pre-order now"),
    ProductType("watch", r"watch(?:es)?|wristwatch(?:es)?|timepieces?|chronographs?", "watch", "luxury",
                "Discover the collection"),
    ProductType("jewellery", r"rings?|necklaces?|bracelets?|earrings?|jewell?e?ry|diamonds?", "jewellery", "luxury",
                "Discover the collection"),
    ProductType("perfume", r"perfumes?|fragrances?|colognes?|scents?|eau de", "perfume bottle", "luxury",
                "Find your signature scent"),
    ProductType("skincare", r"skin ?care|serums?|creams?|moisturi[sz]ers?|lotions?|cosmetics|make-?up|lipsticks?",
                "skincare bottle", "calm", "Try it today"),
    ProductType("sneaker", r"sneakers?|running shoes?|shoes?|trainers?|boots?|footwear", "sneaker", "energetic",
                "Shop the drop"),
    ProductType("car", r"cars?|suvs?|electric vehicles?|vehicles?|\bevs?\b|motorcycles?|e-?bikes?", "car",
                "cinematic", "Book a test drive"),
    ProductType("app", r"apps?|software|saas|platform|subscription|website|online service", "phone showing the app",
                "tech", "Download now"),
    ProductType("tech", (r"smartphones?|phones?|laptops?|headphones|earbuds|speakers?|gadgets?|tablets?|cameras?|"
                         r"drones?|consoles?|keyboards?"), "gadget", "tech", "Pre-order now"),
    ProductType("coffee", r"coffee|espresso|latte|tea|matcha", "coffee cup", "chill", "Order today"),
    ProductType("drink", r"sodas?|juices?|beers?|wines?|whisk(?:e)?y|energy drinks?|water bottles?|drinks?",
                "drink bottle", "upbeat", "Grab yours today"),
    ProductType("food", r"burgers?|pizzas?|snacks?|chocolates?|cookies?|food|meals?|restaurants?|bakery|ice cream",
                "dish", "upbeat", "Order now"),
    ProductType("fashion", r"dress(?:es)?|jackets?|hoodies?|t-?shirts?|fashion|clothing|apparel|handbags?|bags?|"
                r"sunglasses", "fashion piece", "luxury", "Shop the collection"),
    ProductType("fitness", r"gym|fitness|workouts?|yoga|protein", "fitness gear", "energetic", "Start today"),
    ProductType("home", r"sofas?|chairs?|lamps?|furniture|mattress(?:es)?|beds?|vacuums?|kitchen|candles?",
                "home product", "calm", "Shop now"),
    ProductType("toy", r"toys?|games?|kids|children|board game|puzzles?", "toy", "playful", "Get yours today"),
)
GENERIC = ProductType("product", "", "product", "upbeat", "Shop now")


@dataclass(frozen=True)
class Tone:
    key: str
    words: str  # regex of words that set this tone
    colours: tuple[str, ...]  # brand palette: primary, accent, light
    style: tuple[str, ...]
    mood: str  # the brand's mood in words
    music: str  # music library mood
    grade: str
    setting: str  # shared setting of every scene (keeps the local previz on one palette)
    names: tuple[str, ...]  # brand names to choose from when the prompt names none
    lines: tuple[str, str, str]  # hook, interest, desire overlay lines


TONES: dict[str, Tone] = {t.key: t for t in (
    Tone("luxury", r"luxur\w*|premium|elegan\w*|exclusive|timeless|high-?end|refined|prestig\w*|opulen\w*|haute",
         ("#0B1F3A", "#D4AF37", "#F5F0E6"), ("elegant", "minimal", "high contrast", "premium materials"),
         "refined, confident", "luxury", "luxury", "dark studio backdrop at night, low-key lighting",
         ("Maison Aurel", "Valmont", "Noir & Or", "Castellane"),
         ("Timeless. Exceptional.", "Crafted with precision", "Made to be noticed")),
    Tone("eco", r"eco\w*|sustainab\w*|organic|recycl\w*|natural|plant-?based|green|zero[ -]waste|vegan|planet",
         ("#2E7D32", "#8BC34A", "#F1E9D2"), ("natural", "earthy", "soft light", "honest"),
         "fresh, optimistic", "calm", "none", "sunlit meadow, natural daylight",
         ("Verdant", "Leaf & Co.", "Terra", "Rootwell"),
         ("Good for you. Better for the planet.", "Made from nature", "Feel the difference")),
    Tone("tech", r"tech\w*|smart|digital|\bai\b|wireless|innovat\w*|futur\w*|app|gadget|electric",
         ("#0A0F1F", "#2979FF", "#00E5FF"), ("sleek", "modern", "clean lines", "futuristic"),
         "innovative, precise", "tech", "cinematic", "sleek studio, neon accents",
         ("Nexa", "Quanta", "Voltik", "Aether"),
         ("The future, in your hands", "Smarter in every way", "Power meets simplicity")),
    Tone("energetic", r"sport\w*|energ\w*|fast|speed|power\w*|athlet\w*|performance|extreme|run\w*|train\w*",
         ("#111111", "#E53935", "#FFD400"), ("dynamic", "bold", "high energy", "gritty"),
         "bold, driven", "energetic", "vibrant", "urban street at golden hour",
         ("Stryde", "Velocity", "Apex", "Kinetic"),
         ("Built for speed", "Performance you can feel", "Go further")),
    Tone("playful", r"fun|play\w*|kids?|quirky|colou?rful|cute|joy\w*|happy",
         ("#FF6F91", "#FFC75F", "#00C9A7"), ("colourful", "playful", "bright", "friendly"),
         "cheerful, fun", "playful", "vibrant", "pastel studio set",
         ("Bloop", "Jellybean", "Popsy", "Wiggle"),
         ("Fun starts here", "Made for play", "Smiles guaranteed")),
    Tone("calm", r"calm\w*|relax\w*|sleep\w*|spa|wellness|mindful\w*|serene|gentle|soothing|self-?care",
         ("#2F4858", "#7FB7BE", "#E8F1F2"), ("serene", "soft", "airy", "minimal"),
         "serene, caring", "calm", "none", "calm lakeside at dawn",
         ("Serenne", "Still", "Halcyon", "Lumen"),
         ("Breathe easy", "Pure comfort", "Your moment of calm")),
    Tone("chill", r"cozy|cosy|chill|lo-?fi|laid-?back|cafe|café|comfort\w*|slow living",
         ("#3E2723", "#D7A86E", "#F3E5D8"), ("warm", "cozy", "textured", "film grain"),
         "warm, easy-going", "chill", "cinematic", "cozy cafe table, golden hour window light",
         ("Ember & Bean", "Slowpour", "Hearth", "Mellow"),
         ("Slow down", "Crafted for cozy moments", "Your new favourite ritual")),
    Tone("cinematic", r"cinematic|epic|dramatic|trailer|adventur\w*|bold",
         ("#101820", "#F2AA4C", "#E6E6E6"), ("cinematic", "dramatic lighting", "widescreen", "moody"),
         "epic, daring", "cinematic", "cinematic", "mountain road at golden hour",
         ("Horizon", "Summit", "Odyssey", "Vanta"),
         ("Made for the moment", "Engineered for more", "Go beyond")),
    Tone("upbeat", r"bright|positive|everyday|friendly|cheer\w*|fresh",
         ("#1E88E5", "#FFB300", "#FFFFFF"), ("bright", "clean", "friendly", "optimistic"),
         "bright, friendly", "upbeat", "vibrant", "bright studio, clear daylight",
         ("Brightly", "Sunday", "Joyo", "Hello Co."),
         ("Say hello to {brand}", "Everything you need", "Made for you")),
)}
TONE_ORDER = ("luxury", "eco", "playful", "calm", "chill", "energetic", "cinematic", "tech", "upbeat")

PROBLEM_WORDS = (r"problems?|tired of|sick of|struggl\w*|pain\w*|annoy\w*|frustrat\w*|hate|stop|fix\w*|solv\w*|"
                 r"never again|no more|worr\w*|messy|mess|broken|stuck|waste\w*|hassle|stress\w*|acne|leaks?|"
                 r"dry skin|back pain|can't|cannot|difficult|without the")
ASPIRATION_WORDS = (r"transform\w*|dream\w*|becom\w*|before and after|before/after|glow[ -]?up|journey|"
                    r"upgrade your|level up|achiev\w*|unlock\w*|reinvent\w*|new you|better you|aspir\w*|change your "
                    r"life|from \w+ to")
CTA_PATTERN = r"(?:call to action|cta)\s*[:=]?\s*[\"“']?([^\"”'.,;]{3,40})"
COLOUR_WORDS: dict[str, str] = {
    "red": "#E53935", "crimson": "#B0122B", "orange": "#FB8C00", "yellow": "#FFD400", "gold": "#D4AF37",
    "golden": "#D4AF37", "green": "#2E7D32", "emerald": "#047857", "teal": "#00897B", "mint": "#98FF98",
    "blue": "#1E88E5", "navy": "#0B1F3A", "cobalt": "#0047AB", "purple": "#6A1B9A", "violet": "#7E57C2",
    "lavender": "#B39DDB", "pink": "#F06292", "magenta": "#D81B60", "black": "#111111", "white": "#FFFFFF",
    "silver": "#C0C0C0", "copper": "#B87333", "bronze": "#9C6B30", "brown": "#6D4C41", "beige": "#E8D8C3",
    "turquoise": "#1DBFB0", "coral": "#FF7F50", "burgundy": "#800020", "ivory": "#F5F0E6",
}
FILLER = (r"^(?:please\s+)?(?:create|make|generate|produce|design|build|write|give me|i need|i want|we need)\s+"
          r"(?:me\s+)?(?:an?|the|some|one)?\s*")
AD_WORDS = r"\s*\b(?:video\s+)?(?:ad|ads|advert|advertisement|commercial|promo|spot|campaign|video)\b.*$"


@dataclass(frozen=True)
class Reading:
    """What the rules read from a prompt."""

    product_type: ProductType
    product_phrase: str
    tone: Tone
    framework: str
    framework_reason: str
    problem: str
    aspiration: str


def _mentions(text: str, pattern: str) -> re.Match | None:
    return re.search(rf"(?<!\w)(?:{pattern})(?!\w)", text, re.IGNORECASE)


def read_prompt(prompt: str) -> Reading:
    text = " ".join(prompt.split())
    lower = text.lower()
    ptype = next((p for p in PRODUCT_TYPES if _mentions(lower, p.pattern)), GENERIC)
    phrase = _product_phrase(lower, ptype)
    tone_key = next((key for key in TONE_ORDER if _mentions(lower, TONES[key].words)), None)
    if tone_key == "tech" and ptype.tone != "tech" and not _mentions(lower, r"tech\w*|smart|digital|\bai\b"):
        tone_key = None  # "electric" or "app" alone should not turn a luxury watch into a gadget
    tone = TONES[tone_key or ptype.tone]
    named = _mentions(lower, r"aida|pas|bab")
    problem = _after(lower, r"tired of|sick of|struggl\w* with|no more|never again|without the|fix(?:es)?|"
                     r"solv\w*|stop") or {
        "skincare": "dull, dry skin", "app": "wasted time", "home": "a messy home", "coffee": "slow mornings",
        "fitness": "low energy", "tech": "slow, clunky devices", "car": "a stressful commute",
        "sneaker": "sore feet", "food": "boring meals", "drink": "an afternoon slump",
    }.get(ptype.key, "the everyday hassle")
    aspiration = _after(lower, r"become|transform (?:into|to)|dream of|achieve|unlock|level up to") or {
        "fitness": "strong and energised", "skincare": "glowing skin", "app": "organised and free",
        "fashion": "effortless style", "car": "free on the open road",
    }.get(ptype.key, "living the better version of the day")
    if named:
        name = named.group(0).upper()
        reason = f"The prompt asks for {name}."
    elif _mentions(lower, PROBLEM_WORDS):
        name = "PAS"
        reason = f"The prompt names a problem ('{_mentions(lower, PROBLEM_WORDS).group(0)}'), so the ad opens on " \
                 f"the pain and shows {phrase} solving it."
    elif _mentions(lower, ASPIRATION_WORDS):
        name = "BAB"
        reason = f"The prompt is about change ('{_mentions(lower, ASPIRATION_WORDS).group(0)}'), so the ad " \
                 f"contrasts before and after with {phrase} as the bridge."
    else:
        name = "AIDA"
        reason = f"A product showcase with no stated problem: AIDA grabs attention and builds desire for {phrase}."
    return Reading(ptype, phrase, tone, name, reason, problem, aspiration)


def plan_locally(prompt: str, duration: int = 15, aspect_ratio: str = "9:16", framework: str | None = None,
                 seed: int | None = None) -> AdPlan:
    """A complete, validated plan from the prompt by rules alone (no network)."""
    text = check_prompt(prompt)
    reading = read_prompt(text)
    chosen = (framework or "").strip().upper() or reading.framework
    reason = reading.framework_reason if chosen == reading.framework else f"{chosen} was chosen on the storyboard."
    if chosen not in FRAMEWORKS:
        from pipeline.ads.plan import AdPlanError

        raise AdPlanError(f"Unknown framework '{framework}'. Use AIDA, PAS or BAB (or leave it blank for auto).")
    brand = _brand(text, reading)
    data = {
        "prompt": text,
        "product": _description(reading),
        "brand": brand,
        "duration": duration,
        "aspect_ratio": aspect_ratio,
        "framework": chosen,
        "rationale": reason,
        "call_to_action": _cta(text, reading),
        "music_mood": reading.tone.music,
        "grade": reading.tone.grade,
        "setting": reading.tone.setting,
        "scenes": build_scenes(chosen, reading, brand["name"], float(duration), _cta(text, reading)),
        "seed": int(seed) if seed is not None else stable_hash("ad:" + text.lower()) % (2**31 - 2),
        "planner": PLANNER_NAME,
        "notes": [],
    }
    return AdPlan.parse(data)


def build_scenes(framework_name: str, reading: Reading, brand_name: str, total: float, cta: str) -> list[dict]:
    """The framework's scenes for this product, durations scaled to ``total``."""
    fw = get_framework(framework_name)
    durations = structure_durations(fw.name, total)
    scenes = []
    for number, (kind, seconds) in enumerate(zip(fw.scenes, durations), start=1):
        scenes.append(Scene(
            number=number, type=kind.key,
            visual_prompt=kind.visual.format(product=reading.product_phrase, problem=reading.problem,
                                             aspiration=reading.aspiration),
            motion_prompt=kind.motion,
            text_overlay=overlay_line(kind.key, reading, brand_name, cta),
            duration=seconds, transition=kind.transition,
        ).model_dump())
    return scenes


def overlay_line(scene_type: str, reading: Reading, brand_name: str, cta: str) -> str:
    hook, interest, desire = (line.format(brand=brand_name) for line in reading.tone.lines)
    problem = reading.problem[:40]
    lines = {
        "attention": hook, "interest": interest, "desire": desire, "action": "Available now",
        "problem": f"Tired of {problem}?", "agitate": "It adds up. Every single day.",
        "solve": f"Meet {brand_name}", "resolution": "Problem solved.",
        "before": f"Before: {problem}", "after": "After: " + reading.aspiration[:40],
        "bridge": f"{brand_name} gets you there",
    }
    return lines.get(scene_type, brand_name)[:80]


# ---------------------------------------------------------------- pieces
STOP_WORDS = {"a", "an", "the", "our", "my", "your", "their", "his", "her", "its", "this", "that", "these", "for",
              "of", "with", "about", "ad", "ads", "advert", "commercial", "video", "promo", "create", "make",
              "generate", "produce", "design", "build", "new", "and", "or", "to", "in", "on", "by", "from", "we",
              "i", "us", "me", "please", "some", "one", "is", "are", "sell", "selling", "launch", "launching",
              "showcase", "promote", "promoting", "mornings", "days", "life", "transform", "tired", "sick"}


def _product_phrase(lower: str, ptype: ProductType) -> str:
    """The product as the prompt words it: the product word and up to three describing words before it
    ('Create a luxury watch ad' -> 'luxury watch', 'our organic face cream' -> 'organic face cream')."""
    if ptype is GENERIC:
        core = re.sub(FILLER, "", lower).strip()
        about = re.search(r"\b(?:ad|ads|advert|advertisement|commercial|promo|spot|video)\s+(?:for|of|about)\s+(.+)",
                          core)
        core = about.group(1) if about else core
        core = re.split(r"\s+(?:for|by|from|called|named|that|which|with|to|in|on)\s+|[,.;:!?]", core)[0]
        core = re.sub(AD_WORDS, "", core).strip(" '\"“”")
        words = [w for w in core.split() if w not in STOP_WORDS]
        return " ".join(words[-4:]) if words else ptype.noun
    match = _mentions(lower, ptype.pattern)
    before = re.split(r"[,.;:!?\"“”()]", lower[:match.start()])[-1].split()
    kept: list[str] = []
    for word in reversed(before):
        if word in STOP_WORDS or len(kept) == 3 or not re.fullmatch(r"[a-z][a-z'-]*", word):
            break
        kept.insert(0, word)
    return " ".join([*kept, match.group(0).lower()])


def _description(reading: Reading) -> str:
    phrase = reading.product_phrase
    return f"{phrase[:1].upper()}{phrase[1:]}: {reading.tone.mood}."


def _brand(text: str, reading: Reading) -> dict:
    name = _brand_name(text) or reading.tone.names[stable_hash(text.lower()) % len(reading.tone.names)]
    colours = list(reading.tone.colours)
    named = [(m.start(), word) for word in COLOUR_WORDS for m in [_mentions(text.lower(), word)] if m]
    for _, word in sorted(named)[:2][::-1]:  # colours the prompt names lead the palette
        hex_colour = COLOUR_WORDS[word]
        if hex_colour in colours:
            colours.remove(hex_colour)
        colours.insert(1 if len(colours) > 1 else 0, hex_colour)
    return {"name": name, "colours": colours[:4], "style_keywords": list(reading.tone.style),
            "mood": reading.tone.mood}


def _brand_name(text: str) -> str | None:
    quoted = re.search(r"[\"“']([A-Z][^\"”']{1,38})[\"”']", text)
    if quoted:
        return quoted.group(1).strip()
    match = re.search(r"\b(?:called|named|brand(?:ed)?|for)\s+([A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,2})", text)
    return match.group(1).strip() if match else None


def _cta(text: str, reading: Reading) -> str:
    match = re.search(CTA_PATTERN, text, re.IGNORECASE)
    if match:
        return match.group(1).strip().capitalize()
    return reading.product_type.cta


def _after(lower: str, pattern: str) -> str | None:
    match = re.search(rf"(?:{pattern})\s+([a-z][a-z' -]{{2,40}}?)(?=[,.;:!?]|\s+(?:with|and|for|using)\s|$)", lower)
    if not match:
        return None
    words = match.group(1).strip().split()
    return " ".join(words[:5]) if words else None
