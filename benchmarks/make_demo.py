"""Generate the bundled, clearly fictional demo directory (providers/directory/data).

Every clinic is invented: names end in " (demo)", links use reserved example domains and phone
numbers use the fictional 555-01xx range. Cities, coordinates and postal codes are real so that
maps, distances and offline geocoding behave as they would with real data. The output is fully
determined by the seed, so re-running the script reproduces the file byte for byte.

    python benchmarks/make_demo.py [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from providers.directory.schema import default_schema
from scoring.checklist import Checklist, default_checklist

SEED = 20261121
REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "providers" / "directory" / "data" / "demo_clinics.csv"
NOTE = "Fictional demo clinic, not a real provider."
BOARD_LOOKUP = "https://example.com/board-lookup/"
REVIEWS_SITE = "https://reviews.example.org/clinics/"
NO_COORDINATES = 6


@dataclass(frozen=True)
class City:
    name: str
    region: str
    country: str
    latitude: float
    longitude: float
    area_code: str
    postal_codes: tuple[str, ...]


CITIES: dict[str, City] = {
    "scottsdale": City("Scottsdale", "AZ", "US", 33.4942, -111.9261, "480", ("85251", "85250")),
    "phoenix": City("Phoenix", "AZ", "US", 33.4484, -112.0740, "602", ("85004", "85012", "85016")),
    "tempe": City("Tempe", "AZ", "US", 33.4255, -111.9400, "480", ("85281", "85282")),
    "mesa": City("Mesa", "AZ", "US", 33.4152, -111.8315, "480", ("85201",)),
    "tucson": City("Tucson", "AZ", "US", 32.2226, -110.9747, "520", ("85701",)),
    "portland_or": City("Portland", "OR", "US", 45.5152, -122.6784, "503", ("97205", "97209")),
    "portland_me": City("Portland", "ME", "US", 43.6591, -70.2568, "207", ("04101",)),
    "cambridge": City("Cambridge", "MA", "US", 42.3736, -71.1097, "617", ("02139",)),
    "boston": City("Boston", "MA", "US", 42.3601, -71.0589, "617", ("02116", "02108")),
    "new_york": City("New York", "NY", "US", 40.7128, -74.0060, "212", ("10007", "10038")),
    "chicago": City("Chicago", "IL", "US", 41.8781, -87.6298, "312", ("60601", "60603")),
    "los_angeles": City("Los Angeles", "CA", "US", 34.0522, -118.2437, "213", ("90012", "90013")),
    "san_diego": City("San Diego", "CA", "US", 32.7157, -117.1611, "619", ("92101",)),
    "san_francisco": City("San Francisco", "CA", "US", 37.7749, -122.4194, "415", ("94102",)),
    "seattle": City("Seattle", "WA", "US", 47.6062, -122.3321, "206", ("98101", "98104")),
    "denver": City("Denver", "CO", "US", 39.7392, -104.9903, "303", ("80202", "80203")),
    "austin": City("Austin", "TX", "US", 30.2672, -97.7431, "512", ("78701",)),
    "dallas": City("Dallas", "TX", "US", 32.7767, -96.7970, "214", ("75201",)),
    "houston": City("Houston", "TX", "US", 29.7604, -95.3698, "713", ("77002", "77010")),
    "miami": City("Miami", "FL", "US", 25.7617, -80.1918, "305", ("33131", "33130")),
    "atlanta": City("Atlanta", "GA", "US", 33.7490, -84.3880, "404", ("30303",)),
    "nashville": City("Nashville", "TN", "US", 36.1627, -86.7816, "615", ("37219",)),
    "minneapolis": City("Minneapolis", "MN", "US", 44.9778, -93.2650, "612", ("55402",)),
    "salt_lake_city": City("Salt Lake City", "UT", "US", 40.7608, -111.8910, "801", ("84111",)),
    "las_vegas": City("Las Vegas", "NV", "US", 36.1699, -115.1398, "702", ("89101",)),
    "albuquerque": City("Albuquerque", "NM", "US", 35.0844, -106.6504, "505", ("87102",)),
    "philadelphia": City("Philadelphia", "PA", "US", 39.9526, -75.1652, "215", ("19107", "19102")),
    "raleigh": City("Raleigh", "NC", "US", 35.7796, -78.6382, "919", ("27601",)),
    "toronto": City("Toronto", "ON", "CA", 43.6532, -79.3832, "416", ("M5V 2T6", "M5G 1Z8")),
    "montreal": City("Montreal", "QC", "CA", 45.5017, -73.5673, "514", ("H3B 1A7", "H2X 1Y4")),
    "vancouver": City("Vancouver", "BC", "CA", 49.2827, -123.1207, "604", ("V6B 1A1", "V6Z 2E6")),
    "ottawa": City("Ottawa", "ON", "CA", 45.4215, -75.6972, "613", ("K1P 5G4",)),
    "hamilton": City("Hamilton", "ON", "CA", 43.2557, -79.8711, "905", ("L8P 4R5",)),
    "kitchener": City("Kitchener", "ON", "CA", 43.4516, -80.4925, "519", ("N2G 4G7",)),
    "thunder_bay": City("Thunder Bay", "ON", "CA", 48.3809, -89.2477, "807", ("P7B 1A1",)),
    "sault_ste_marie": City("Sault Ste. Marie", "ON", "CA", 46.5219, -84.3461, "705", ("P6A 1Y8",)),
    "calgary": City("Calgary", "AB", "CA", 51.0447, -114.0719, "403", ("T2P 1J9",)),
    "edmonton": City("Edmonton", "AB", "CA", 53.5461, -113.4938, "780", ("T5J 0N3",)),
    "winnipeg": City("Winnipeg", "MB", "CA", 49.8951, -97.1384, "204", ("R3C 0V8",)),
    "halifax": City("Halifax", "NS", "CA", 44.6488, -63.5752, "902", ("B3J 1P3",)),
}

# (name without the " (demo)" suffix, city key, routes, at-home/telehealth-only program)
CLINICS: tuple[tuple[str, str, str, bool], ...] = (
    ("Saguaro Infusion Care", "scottsdale", "IV", False),
    ("Palo Verde Pain & Infusion Studio", "scottsdale", "IV;IM", False),
    ("Desert Lark Wellness Infusions", "scottsdale", "IV;intranasal", False),
    ("Copperleaf Integrative Pain Care", "phoenix", "IV", False),
    ("Sunbeam Valley Infusion Suites", "phoenix", "IV;IM", False),
    ("Ocotillo Path Home Ketamine Program", "phoenix", "oral", True),
    ("Papago Breeze Infusion Clinic", "tempe", "IV", False),
    ("Red Butte Pain Relief Studio", "tempe", "IM", False),
    ("Mesa Quail Infusion House", "mesa", "IV", False),
    ("Sonoran Wren Infusion Care", "tucson", "IV;IM", False),
    ("Rosebud Lane Infusion Care", "portland_or", "IV", False),
    ("Willamette Fern Pain Clinic", "portland_or", "IV;intranasal", False),
    ("Casco Lantern Infusion Care", "portland_me", "IV", False),
    ("Brattle Finch Integrative Infusions", "cambridge", "IV;IM", False),
    ("Beacon Heron Infusion Care", "boston", "IV", False),
    ("Linden Square Nasal Therapy Suite", "boston", "intranasal", False),
    ("Hudson Larch Infusion Care", "new_york", "IV", False),
    ("Gramercy Finch Pain Studio", "new_york", "IV;IM;intranasal", False),
    ("Lakefront Clover Infusions", "chicago", "IV", False),
    ("Prairie Kestrel Pain Care", "chicago", "IM", False),
    ("Jacaranda Hill Infusion Care", "los_angeles", "IV", False),
    ("Echo Poppy Home Care Program", "los_angeles", "oral", True),
    ("Torrey Gull Infusion Care", "san_diego", "IV;IM", False),
    ("Foghorn Fern Pain Studio", "san_francisco", "IV", False),
    ("Rainier Alder Infusion Care", "seattle", "IV", False),
    ("Puget Heron Nasal Care", "seattle", "intranasal", False),
    ("Columbine Ridge Infusions", "denver", "IV;IM", False),
    ("Larkspur Peak Telecare", "denver", "intranasal", True),
    ("Bluebonnet Grove Infusion Care", "austin", "IV", False),
    ("Pecan Creek Pain Studio", "austin", "IM;intranasal", False),
    ("Trinity Mockingbird Infusions", "dallas", "IV", False),
    ("Bayou Magnolia Infusion Care", "houston", "IV;IM", False),
    ("Live Oak Egret Pain Clinic", "houston", "IV", False),
    ("Biscayne Palm Infusion Studio", "miami", "IV", False),
    ("Coral Heron Wellness Infusions", "miami", "IV;intranasal", False),
    ("Dogwood Crescent Infusion Care", "atlanta", "IV;IM", False),
    ("Cumberland Fiddle Pain Care", "nashville", "IV", False),
    ("North Loon Infusion Studio", "minneapolis", "IV", False),
    ("Wasatch Sego Infusion Care", "salt_lake_city", "IV;IM", False),
    ("Red Rock Yucca Infusions", "las_vegas", "IV", False),
    ("Sandia Chamisa Pain Care", "albuquerque", "IV;IM", False),
    ("Schuylkill Sparrow Infusion Care", "philadelphia", "IV", False),
    ("Rittenhouse Linden Pain Studio", "philadelphia", "IM", False),
    ("Oak City Cardinal Infusions", "raleigh", "IV", False),
    ("Maple Harbour Infusion Care", "toronto", "IV", False),
    ("Lakeshore Birch Pain Studio", "toronto", "IV;IM", False),
    ("Trillium Lantern Home Program", "toronto", "oral", True),
    ("Clinique Érable Doux", "montreal", "IV", False),
    ("Mont-Royal Lilas Infusions", "montreal", "IV;IM", False),
    ("Cedar Tide Infusion Care", "vancouver", "IV", False),
    ("False Creek Heron Clinic", "vancouver", "IM;intranasal", False),
    ("Rideau Willow Infusion Care", "ottawa", "IV", False),
    ("Escarpment Sparrow Pain Care", "hamilton", "IV;IM", False),
    ("Grand River Thistle Infusions", "kitchener", "IV", False),
    ("Lakehead Aspen Infusion Care", "thunder_bay", "IV", False),
    ("Soo Canal Juniper Pain Clinic", "sault_ste_marie", "IM", False),
    ("Chinook Meadow Infusion Care", "calgary", "IV;IM", False),
    ("Aster Valley Infusion Care", "edmonton", "IV", False),
    ("Prairie Crocus Infusion Studio", "winnipeg", "IV", False),
    ("Tidewater Gull Infusion Care", "halifax", "IV;IM", False),
)

# How many rows get each evidence profile (shuffled over the clinics with the seed).
PROFILES = {"complete": 14, "partial": 18, "negative": 9, "sparse": 10, "stale": 9}
# Per profile: chance a criterion was researched, then chance an item is yes / no (else blank).
ODDS = {
    "complete": (1.0, 0.95, 0.0),
    "partial": (0.7, 0.65, 0.05),
    "negative": (0.85, 0.45, 0.35),
    "sparse": (0.0, 0.5, 0.0),
    "stale": (0.9, 0.7, 0.08),
}
DATE_WINDOWS = {
    "complete": (dt.date(2026, 5, 4), dt.date(2026, 10, 30)),
    "partial": (dt.date(2026, 1, 5), dt.date(2026, 10, 30)),
    "negative": (dt.date(2026, 1, 5), dt.date(2026, 10, 30)),
    "sparse": (dt.date(2026, 2, 2), dt.date(2026, 10, 30)),
    "stale": (dt.date(2023, 2, 1), dt.date(2024, 11, 29)),
}
EXTRA_NOTE = {
    "complete": "Complete evidence profile.",
    "partial": "",
    "negative": "Some checklist answers are an explicit no.",
    "sparse": "Sparse profile: most evidence unknown.",
    "stale": "Evidence last checked in 2023-2024.",
}
SOURCE_PATHS = {
    "expertise": "our-team",
    "monitoring": "safety",
    "personalization": "treatment-plan",
    "follow_up": "aftercare",
    "mental_health": "mental-health",
    "pricing": "pricing",
}
PAIN = ("fibromyalgia", "CRPS", "neuropathic pain", "chronic migraine", "chronic low back pain")
MOOD = ("depression", "anxiety", "PTSD", "treatment-resistant depression")
STREETS = (
    "Maple Avenue",
    "Cedar Street",
    "Lakeview Drive",
    "Harbour Road",
    "Willow Lane",
    "Sunrise Boulevard",
    "Orchard Street",
    "Meadow Parkway",
    "Birch Avenue",
    "Station Road",
)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_name.lower()).split()
    return "-".join(words)


def npi_check_digit(base: str) -> str:
    """Luhn check digit of a 9-digit NPI base, computed over the "80840" prefix."""
    total = 0
    for position, char in enumerate(reversed("80840" + base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return str((10 - total % 10) % 10)


def make_npi(rng: random.Random) -> str:
    base = "1" + "".join(rng.choice("0123456789") for _ in range(8))
    return base + npi_check_digit(base)


def random_date(rng: random.Random, window: tuple[dt.date, dt.date]) -> str:
    start, end = window
    return (start + dt.timedelta(days=rng.randint(0, (end - start).days))).isoformat()


def answer(rng: random.Random, p_yes: float, p_no: float) -> str:
    draw = rng.random()
    return "yes" if draw < p_yes else "no" if draw < p_yes + p_no else ""


def pick_conditions(rng: random.Random, focus: str) -> list[str]:
    if focus == "mood":
        return rng.sample(MOOD, rng.randint(2, 3))
    pain = ["fibromyalgia", *rng.sample(PAIN[1:], rng.randint(1, 3))]
    if focus == "pain_only_no_fibro":
        pain = pain[1:]
    mood = rng.sample(MOOD, rng.randint(0, 2)) if focus != "pain_only_no_fibro" else []
    return pain + mood


def price_for(rng: random.Random, routes: str, country: str, home: bool) -> int:
    canadian = country == "CA"
    if home:
        low, high = (350, 500) if canadian else (300, 450)
    elif "IV" in routes:
        low, high = (650, 1500) if canadian else (425, 950)
    elif "IM" in routes:
        low, high = (400, 700) if canadian else (300, 550)
    else:
        low, high = (450, 900) if canadian else (350, 850)
    return rng.randrange(low, high + 1, 25) if high - low >= 25 else low


def build_rows(rng: random.Random) -> tuple[list[dict[str, str]], Counter[str]]:
    checklist = default_checklist()
    columns = default_schema().names
    profiles = [name for name, count in PROFILES.items() for _ in range(count)]
    assert len(profiles) == len(CLINICS) == 60
    rng.shuffle(profiles)
    no_coordinates = set(rng.sample(range(len(CLINICS)), NO_COORDINATES))
    us_rows = [i for i, clinic in enumerate(CLINICS) if CITIES[clinic[1]].country == "US"]
    npi_weight = {"complete": 3.0, "partial": 1.5, "negative": 1.0, "stale": 1.0, "sparse": 0.3}
    ranked = sorted(us_rows, key=lambda i: -npi_weight[profiles[i]] * rng.random())
    with_npi = set(ranked[: round(len(us_rows) / 3)])
    single_review = set(rng.sample([i for i, p in enumerate(profiles) if p == "sparse"], 2))
    single_review |= set(rng.sample([i for i, p in enumerate(profiles) if p == "partial"], 1))
    popular_pool = [i for i, p in enumerate(profiles) if p in ("complete", "stale")]
    popular = set(rng.sample(popular_pool, 5))
    seen_in_city: Counter[str] = Counter()
    counts: Counter[str] = Counter(profiles)
    counts["no coordinates"] = NO_COORDINATES
    counts["npi"] = len(with_npi)
    rows = []
    for index, (base_name, city_key, routes, home) in enumerate(CLINICS):
        profile = profiles[index]
        city = CITIES[city_key]
        nth = seen_in_city[city_key]
        seen_in_city[city_key] += 1
        slug = slugify(base_name)
        site = f"https://{slug}.example.org"
        row = dict.fromkeys(columns, "")
        row["id"] = f"demo-{index + 1:03d}"
        row["name"] = f"{base_name} (demo)"
        if home:
            row["address"] = "Telehealth program, no walk-in site"
        else:
            suite = f"{nth + 1}0{rng.randint(1, 9)}"
            row["address"] = f"{rng.randint(10, 2400)} {rng.choice(STREETS)}, Suite {suite}"
        row["city"], row["region"], row["country"] = city.name, city.region, city.country
        row["postal_code"] = city.postal_codes[nth % len(city.postal_codes)]
        if index not in no_coordinates:
            row["latitude"] = f"{city.latitude + rng.uniform(-0.018, 0.018):.5f}"
            row["longitude"] = f"{city.longitude + rng.uniform(-0.018, 0.018):.5f}"
        line = f"555-{100 + index:04d}"
        canadian = city.country == "CA"
        row["phone"] = f"{city.area_code}-{line}" if canadian else f"({city.area_code}) {line}"
        row["website"] = f"{site}/"
        row["npi"] = make_npi(rng) if index in with_npi else ""
        row["routes"] = routes
        row["telehealth"] = "yes" if home else rng.choice(("yes", "no", ""))
        focus = rng.choices(("pain", "pain_only_no_fibro", "mood"), weights=(7, 2, 1))[0]
        if home:
            focus = rng.choice(("pain", "mood"))
        if profile == "complete":
            focus = "pain"
        conditions = pick_conditions(rng, focus)
        row["conditions"] = ";".join(conditions)
        undisclosed = profile == "sparse" and rng.random() < 0.7
        undisclosed |= profile in ("partial", "negative") and rng.random() < 0.2
        if not undisclosed:
            row["price_per_session"] = str(price_for(rng, routes, city.country, home))
            row["currency"] = "CAD" if city.country == "CA" else "USD"
        row["free_consultation"] = rng.choice(("yes", "no", ""))
        spravato = routes == "intranasal" and not home
        row["accepts_insurance"] = "yes" if spravato else rng.choice(("no", "no", "yes", ""))
        fill_reviews(rng, row, profile, slug, index in single_review, index in popular)
        row["notes"] = " ".join(filter(None, (NOTE, EXTRA_NOTE[profile])))
        if home:
            row["notes"] += " At-home program: treatment by telehealth."
        fill_checklist(rng, row, checklist, profile, site, conditions, focus, home, undisclosed)
        rows.append(row)
    return rows, counts


def fill_reviews(
    rng: random.Random, row: dict[str, str], profile: str, slug: str, single: bool, popular: bool
) -> None:
    if single:
        rating, count = 5.0, 1
    elif popular:
        rating, count = rng.choice((4.6, 4.7, 4.8)), rng.randint(200, 410)
    elif profile == "sparse" and rng.random() < 0.7:
        return
    elif profile == "negative":
        rating, count = rng.randint(26, 42) / 10, rng.randint(4, 90)
    else:
        rating, count = rng.randint(38, 49) / 10, rng.randint(3, 180)
    row["reviews_rating"] = f"{rating:.1f}"
    row["reviews_count"] = str(count)
    row["reviews_source"] = f"{REVIEWS_SITE}{slug}"


def fill_checklist(
    rng: random.Random,
    row: dict[str, str],
    checklist: Checklist,
    profile: str,
    site: str,
    conditions: list[str],
    focus: str,
    home: bool,
    undisclosed: bool,
) -> None:
    p_research, p_yes, p_no = ODDS[profile]
    window = DATE_WINDOWS[profile]
    sparse_picks = set(rng.sample(list(SOURCE_PATHS), rng.randint(0, 2)))
    for criterion in checklist.criteria:
        key = criterion.key
        researched = key in sparse_picks if profile == "sparse" else rng.random() < p_research
        if key == "pricing" and undisclosed:
            researched = False
        if key == "reviews":
            researched = bool(row["reviews_rating"]) or researched
        answers: dict[str, str] = {}
        for item in criterion.items:
            if item.kind != "tristate":
                continue
            answers[item.key] = answer(rng, p_yes, p_no) if researched else ""
        if researched:
            adjust(answers, key, row, conditions, focus, home, profile)
            if not any(answers.values()):
                first = next(iter(answers))
                answers[first] = "no" if profile == "negative" else "yes"
        for item_key, value in answers.items():
            row[f"{key}.{item_key}"] = value
        if researched:
            if key == "reviews":
                if answers["no_disciplinary"]:
                    row[criterion.source_column] = f"{BOARD_LOOKUP}{slugify(row['name'])}"
            else:
                row[criterion.source_column] = f"{site}/{SOURCE_PATHS[key]}"
            row[criterion.verified_column] = random_date(rng, window)


def adjust(
    answers: dict[str, str],
    key: str,
    row: dict[str, str],
    conditions: list[str],
    focus: str,
    home: bool,
    profile: str,
) -> None:
    """Keep answers consistent with the rest of the row (conditions, NPI, price, setting)."""
    if key == "expertise":
        if focus == "mood" and answers["chronic_pain_experience"]:
            answers["chronic_pain_experience"] = "no"
        if "fibromyalgia" not in conditions and answers["fibromyalgia_experience"] == "yes":
            answers["fibromyalgia_experience"] = "no" if profile == "negative" else ""
        if row["country"] == "CA" or not row["npi"]:
            answers["npi_verified"] = ""
        elif answers["npi_verified"] == "":
            answers["npi_verified"] = "yes"
    elif key == "monitoring" and home:
        for item in ("vital_signs", "recovery_observation", "emergency_equipment"):
            answers[item] = "no"
    elif key == "pricing":
        if row["price_per_session"]:
            answers["price_published"] = "yes"
        elif answers["price_published"] == "yes":
            answers["price_published"] = "no"


def write_csv(rows: list[dict[str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(default_schema().names), lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    args = parser.parse_args(argv)
    rows, counts = build_rows(random.Random(SEED))
    write_csv(rows, args.out)
    summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
    print(f"wrote {len(rows)} clinics to {args.out} ({summary})")


if __name__ == "__main__":
    main()
