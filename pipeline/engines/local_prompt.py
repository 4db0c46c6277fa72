"""Offline prompt enhancer: adds what a cinematographer would specify, using fixed rules instead of a model.

The enhancer reads the prompt's words to guess the kind of shot (product, portrait, landscape, ...), then appends
camera, lens, lighting, composition, film look, mood and aspect-ratio notes. It never adds a category the prompt
already covers, so a prompt that says "golden hour" gets no second time of day and a named lens is kept as is.
Choices are deterministic: when a category has several good options, a stable hash of the prompt picks one.
"""
from __future__ import annotations

from pipeline.engines.interfaces import ASPECT_RATIOS, EngineSpec, EnhancedPrompt, PromptAddition
from pipeline.engines.text_match import mentions, stable_hash
from pipeline.errors import EngineInputError

MAX_PROMPT_CHARS = 1000

# ------------------------------------------------------------------ what the prompt is about
# Checked in order; the first class whose words appear wins (jewellery before product: it needs macro, not packshot).
SHOT_CLASS_WORDS: list[tuple[str, str]] = [
    ("jewellery", (r"jewell?e?ry|jewel|ring(?![ -]?light)|necklace|bracelet|earrings?|diamond|gemstone|pendant|"
                   r"watch(?:es)?")),
    ("product", (r"product|packshot|bottle|perfume|fragrance|serum|skincare|cosmetics?|lipstick|sneakers?|shoes?|"
                 r"trainers?|headphones?|phone|smartphone|gadget|handbag|packaging|soda can|jar|mug|speaker")),
    ("food", r"food|dish|plate|burger|pizza|cake|dessert|pastry|coffee|meal|salad|pasta|sushi|cocktail|drink"),
    ("car", r"car|cars|vehicle|sports car|suv|motorcycle|motorbike|supercar"),
    ("portrait", r"portrait|person|woman|man|girl|boy|model|face|dancer|athlete|actor|people|character"),
    ("city", r"city|cityscape|skyline|street|streets|downtown|urban|skyscrapers?|alley|metropolis|rooftop"),
    ("landscape", (r"landscape|mountains?|valley|hills?|desert|canyon|forest|lake|ocean|sea|beach|coast|meadow|"
                   r"fields|farmland|waterfall|glacier|nature|horizon")),
]

# Words that show the prompt already covers a category; that category is then left alone.
ALREADY_STATED: dict[str, str] = {
    "camera": r"shot on (?!(?:an? )?\d)|arri|alexa|red (?:komodo|v-raptor|monstro)|sony|venice|canon|nikon|leica|"
              r"hasselblad|fujifilm|phase one|blackmagic|iphone|gopro|dslr|mirrorless|cinema camera",
    "lens": r"\d+ ?mm|lens|macro|wide[- ]angle|telephoto|anamorphic|fisheye|f/\d|t\d(?:\.\d)?\b|prime",
    "lighting": r"lights?|lighting|lit|backlit|backlight|softbox|rim light|chiaroscuro|spotlight|illuminated|"
                r"shadows?|glow",
    "composition": r"rule of thirds|centred|centered|symmetr\w*|leading lines|close-?up|wide shot|medium shot|"
                   r"framing|composition|negative space|low angle|high angle|overhead|top-down|flat lay|"
                   r"bird'?s[- ]eye|three-quarter|eye level",
    "film": r"kodak|portra|ektar|ektachrome|fuji(?:film)? ?(?:velvia|provia|eterna)|velvia|cinestill|film stock|"
            r"35mm film|film grain|colou?r grad\w*|teal and orange|bleach bypass|black and white|b&w|"
            r"monochrome|sepia|lut\b|colou?r science|analog",
    "mood": r"mood|moody|serene|dramatic|calm|melanchol\w*|joyful|mysterious|atmospheric|ethereal|cozy|cosy|"
            r"energetic|tense|romantic|epic|dreamy|nostalgic|luxurious|playful|somber|sombre|peaceful|gritty",
    "aspect": r"vertical|portrait orientation|landscape orientation|9:16|16:9|4:5|1:1|widescreen|square format|"
              r"aspect ratio",
}

# A named time of day; when present the enhancer adds light that fits it but never names another time.
TIME_WORDS = (r"golden hour|magic hour|sunset|sunrise|dawn|dusk|twilight|blue hour|night|nighttime|midnight|noon|"
              r"midday|morning|afternoon|evening|daytime|neon")
NIGHT_WORDS = r"night|nighttime|midnight|neon|blue hour|dusk|twilight"
WARM_TIME_WORDS = r"golden hour|magic hour|sunset|sunrise|dawn|evening|afternoon"

# ------------------------------------------------------------------ what a cinematographer would add
CAMERA: dict[str, list[str]] = {
    "jewellery": ["shot on ARRI Alexa 35", "shot on Sony Venice 2"],
    "product": ["shot on ARRI Alexa 35", "shot on Sony Venice 2"],
    "food": ["shot on RED Komodo 6K", "shot on ARRI Alexa Mini LF"],
    "car": ["shot on RED V-Raptor 8K", "shot on ARRI Alexa Mini LF"],
    "portrait": ["shot on ARRI Alexa 35", "shot on ARRI Alexa Mini LF"],
    "city": ["shot on Sony Venice 2", "shot on ARRI Alexa Mini LF"],
    "landscape": ["shot on ARRI Alexa Mini LF", "shot on RED V-Raptor 8K"],
    "general": ["shot on ARRI Alexa 35", "shot on ARRI Alexa Mini LF"],
}
LENS: dict[str, list[str]] = {
    "jewellery": ["100mm macro lens at f/5.6 for edge-to-edge detail"],
    "product": ["85mm prime at f/1.8 with a clean falloff behind the product", "100mm macro at f/4 for crisp edges"],
    "food": ["100mm macro at f/2.8 with shallow depth of field"],
    "car": ["50mm prime at f/4", "35mm lens at f/4 for a muscular perspective"],
    "portrait": ["85mm prime at f/1.8 with creamy bokeh", "50mm prime at f/1.4 with shallow depth of field"],
    "city": ["35mm lens at f/2.8", "40mm anamorphic at T2.2 with oval bokeh"],
    "landscape": ["24mm wide lens at f/8 for deep focus", "16-35mm wide zoom at f/11 for deep focus"],
    "general": ["50mm prime at f/2.8", "35mm prime at f/2"],
}
# Default light per shot class, used only when the prompt names neither a light nor a time of day.
LIGHTING: dict[str, str] = {
    "jewellery": "diffused tent lighting with pinpoint spotlights for sparkle and controlled reflections",
    "product": "large softbox key from camera left with a thin rim light tracing the edges",
    "food": "soft window backlight with a white bounce card for gentle fill",
    "car": "long overhead strip softbox tracing the body lines, deep controlled reflections",
    "portrait": "soft window-light key at 45 degrees camera left with gentle fill and a subtle hair light",
    "city": "blue-hour ambient light with warm practical window glow",
    "landscape": "low golden-hour sun raking across the terrain",
    "general": "soft directional key light from the side with natural falloff",
}
# Light that suits a time the prompt already named, without naming a time itself.
LIGHTING_FOR_WARM_TIME = "low warm sun as a backlight with a soft bounce fill and long shadows"
LIGHTING_FOR_NIGHT = "motivated practical light with deep, clean shadows and glossy reflections"
LIGHTING_FOR_DAY = "soft directional daylight with gentle fill and natural falloff"
COMPOSITION: dict[str, str] = {
    "jewellery": "tight macro framing with the piece on a reflective surface",
    "product": "hero product centred slightly below eye level with generous negative space",
    "food": "45-degree hero angle with props softly out of focus",
    "car": "low three-quarter front angle with the car on the lower third",
    "portrait": "eye-level medium close-up with the eyes on the upper third",
    "city": "leading lines down the street toward a vanishing point",
    "landscape": "rule-of-thirds horizon with a strong foreground element and leading lines",
    "general": "rule-of-thirds composition with clear foreground, midground and background layers",
}
FILM: dict[str, str] = {
    "night": "CineStill 800T look with soft halation around highlights",
    "warm": "Kodak Vision3 250D colour science",
    "jewellery": "clean, neutral colour science with true-to-life metals and stones",
    "product": "clean, neutral colour science with true-to-life colours",
    "food": "warm, natural colour grade with rich but honest tones",
    "car": "high-contrast commercial grade with deep blacks",
    "portrait": "Kodak Portra 400 skin tones",
    "city": "Kodak Vision3 500T film emulation with fine grain",
    "landscape": "Fujifilm Velvia-like saturated colour",
    "general": "Kodak Vision3 500T film emulation with fine grain",
}
MOOD: dict[str, str] = {
    "night": "moody, electric atmosphere",
    "jewellery": "luxurious, intimate mood",
    "product": "premium, aspirational mood",
    "food": "warm, inviting mood",
    "car": "sleek, powerful mood",
    "portrait": "intimate, contemplative mood",
    "city": "vibrant, cinematic mood",
    "landscape": "serene, epic sense of scale",
    "general": "cinematic, evocative mood",
}
ASPECT_HINT: dict[str, str] = {
    "16:9": "16:9 widescreen cinematic framing",
    "9:16": "vertical 9:16 framing for social, subject kept inside the centre safe area",
    "1:1": "square 1:1 framing with a balanced, centred layout",
    "4:5": "4:5 portrait framing for feed posts, subject filling the frame",
}


def classify_shot(prompt: str) -> str:
    """Return the shot class (jewellery, product, food, car, portrait, city, landscape or general)."""
    text = prompt.lower()
    for shot_class, words in SHOT_CLASS_WORDS:
        if mentions(text, words):
            return shot_class
    return "general"


def _stable_pick(options: list[str], prompt: str, salt: str) -> str:
    return options[stable_hash(f"{salt}|{prompt}") % len(options)]


class LocalPromptEnhancer:
    name = "local-prompt-rules"
    label = "Local cinematographer rules (offline)"

    def enhance(self, prompt: str, aspect_ratio: str = "16:9") -> EnhancedPrompt:
        cleaned = _validate(prompt, aspect_ratio)
        text = cleaned.lower()
        shot = classify_shot(cleaned)
        stated = {category for category, words in ALREADY_STATED.items() if mentions(text, words)}
        has_time = mentions(text, TIME_WORDS)
        is_night = mentions(text, NIGHT_WORDS)
        is_warm = mentions(text, WARM_TIME_WORDS)

        candidates: list[PromptAddition] = [
            PromptAddition("camera", _stable_pick(CAMERA[shot], cleaned, "camera")),
            PromptAddition("lens", _stable_pick(LENS[shot], cleaned, "lens")),
            PromptAddition("lighting", _lighting(shot, has_time, is_night, is_warm)),
            PromptAddition("composition", COMPOSITION[shot]),
            PromptAddition("film", FILM["night" if is_night else "warm" if is_warm else shot]),
            PromptAddition("mood", MOOD["night" if is_night and shot in ("city", "general") else shot]),
            PromptAddition("aspect", ASPECT_HINT[aspect_ratio]),
        ]
        additions = [addition for addition in candidates if addition.category not in stated]
        base = cleaned.rstrip(" .,;:")
        enhanced = ", ".join([base, *(addition.text for addition in additions)])
        return EnhancedPrompt(original=prompt, enhanced=enhanced, additions=additions, engine=self.name)


def _lighting(shot: str, has_time: bool, is_night: bool, is_warm: bool) -> str:
    if not has_time:
        return LIGHTING[shot]
    if is_night:
        return LIGHTING_FOR_NIGHT
    return LIGHTING_FOR_WARM_TIME if is_warm else LIGHTING_FOR_DAY


def _validate(prompt: str, aspect_ratio: str) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise EngineInputError("The prompt is empty. Describe the shot you want, e.g. 'a perfume bottle on wet rocks'.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise EngineInputError(
            f"The prompt is {len(prompt)} characters long; keep it under {MAX_PROMPT_CHARS} characters."
        )
    if aspect_ratio not in ASPECT_RATIOS:
        raise EngineInputError(f"Unknown aspect ratio '{aspect_ratio}'. Use one of: {', '.join(ASPECT_RATIOS)}.")
    return " ".join(prompt.split())


ENGINES = (EngineSpec("prompt", LocalPromptEnhancer.name, LocalPromptEnhancer),)
