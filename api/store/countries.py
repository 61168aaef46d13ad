"""The countries a text names, by a name or a demonym: "Armenia", "Armenian", "Azeri" -> codes.

Names come from pycountry (ISO 3166-1: the name, the common and the official
name), names and demonyms from countryinfo (its `demonym` and `altSpellings`
for 250 countries). Neither knows the informal forms news use for some
peoples; INFORMAL adds those the data needs, a few words each with the reason.
"""

import functools
import re
import unicodedata

import pycountry
from countryinfo import CountryInfo

# Forms of a country's name in news that neither source has.
INFORMAL = {
    # Common in news for Azerbaijani ("Azeri forces"); countryinfo has only "Azerbaijani".
    "azeri": "AZE",
    "azeris": "AZE",
}
# Forms that are also ordinary words ("Ísland", Iceland's own name; "Mann").
ORDINARY_WORDS = {"island", "mann"}
# Longer forms than this many words are not looked for.
LONGEST_FORM = 6
# Codes and short spellings ("AM", "ARM") are not names: "am" is a word.
SHORTEST_FORM = 4


def normalised_words(text):
    """The words of `text`, lower-cased and without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.findall(r"\w+", plain.lower())


@functools.cache
def _forms():
    """Each normalised form (words joined by a space) -> the codes it names."""
    forms = {}

    def add(form, code):
        words = normalised_words(form or "")
        text = " ".join(words)
        if (
            len(text) >= SHORTEST_FORM
            and len(words) <= LONGEST_FORM
            and text not in ORDINARY_WORDS
            and code
        ):
            forms.setdefault(text, set()).add(code)

    for country in pycountry.countries:
        for name in ("name", "common_name", "official_name"):
            add(getattr(country, name, None), country.alpha_3)
    for info in CountryInfo.all().values():
        code = (info.get("ISO") or {}).get("alpha3")
        for form in (info.get("name"), info.get("demonym"), *(info.get("altSpellings") or ())):
            add(form, code)
    for form, code in INFORMAL.items():
        add(form, code)
    return {form: frozenset(codes) for form, codes in forms.items()}


def countries_named(text):
    """The ISO 3166-1 alpha-3 codes of the countries `text` names, sorted.

    A form is found as whole words ("Armenia Defense Ministry" names ARM; so
    do "Armenian" and "Armenians"); the longest form wins where forms overlap
    ("South Sudan" names SSD, not SDN).
    """
    words = normalised_words(text)
    forms = _forms()
    found = set()
    start = 0
    while start < len(words):
        for length in range(min(LONGEST_FORM, len(words) - start), 0, -1):
            phrase = " ".join(words[start : start + length])
            codes = forms.get(phrase)
            if codes is None and phrase.endswith("s"):
                # A people in the plural: Armenians, Azerbaijanis.
                codes = forms.get(phrase[:-1])
            if codes:
                found |= codes
                start += length
                break
        else:
            start += 1
    return sorted(found)
