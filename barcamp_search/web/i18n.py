"""Interface language of the web page: strings, plurals and dates from gettext catalogs.

``STRINGS`` holds each key's English and French; ``locales/sync.py`` writes them into the
catalogs (``locales/<code>/LC_MESSAGES/messages.po``), where the other languages translate
them; ``translate``, ``plural`` and ``format_date`` read the catalogs through
``catalogs.py`` (Babel: CLDR plural rules, numbers and dates). A language is offered when it
has a catalog.

The language comes from ``?ui=fr`` (kept in the URL and remembered in a
cookie), else that cookie, else the browser's ``Accept-Language``, else the
``ui_lang`` setting. Only the interface is translated: posts are shown as
written. Strings are plain text; templates escape them like any other value,
and ``{name}`` placeholders are filled with ``str.format`` before escaping.
"""

from __future__ import annotations

import re
from typing import Any

from barcamp_search.web import catalogs

LANGUAGES = catalogs.available()  # en, de, es, fr, it, pt: one per catalog
LANGUAGE_NAMES = {code: catalogs.language_name(code) for code in LANGUAGES}
COOKIE = "ui"

# key: (English, French)
STRINGS: dict[str, tuple[str, str]] = {
    "skip": ("Skip to content", "Aller au contenu"),
    "skip_filters": ("Skip to the filters", "Aller aux filtres"),
    "filters_n": ("Filters ({n})", "Filtres ({n})"),
    "colon": ("{label}:", "{label} :"),  # French puts a space before a colon
    "site_description": (
        "Search the meetup and barcamp archives of Python user groups",
        "Chercher dans les archives des meetups et barcamps Python",
    ),
    "search_label": ("Search the archives", "Chercher dans les archives"),
    "search_placeholder": (
        "e.g. asyncio, micro-python, speaker:…",
        "ex. asyncio, micro-python, speaker:…",
    ),
    "search_button": ("Search", "Chercher"),
    "main_nav": ("Browse", "Parcourir"),
    "nav_search": ("Search", "Recherche"),
    "nav_tags": ("Tags", "Mots-clés"),
    "nav_authors": ("Authors", "Auteurs"),
    "nav_speakers": ("Speakers", "Intervenants"),
    "nav_timeline": ("Timeline", "Chronologie"),
    "footer_lang": ("Language", "Langue"),
    "footer_api": ("JSON API", "API JSON"),
    "footer_feed": ("Atom feed of this search", "Flux Atom de cette recherche"),
    "footer_csv": ("CSV of these results", "CSV de ces résultats"),
    "csv_link": ("Download as CSV", "Télécharger en CSV"),
    "keyboard_help": (
        "Keys: / search, j/k or ↑/↓ move between results, Enter opens.",
        "Touches : / recherche, j/k ou ↑/↓ passent d'un résultat à l'autre, Entrée ouvre.",
    ),
    "results_for": ("{count} for “{query}”", "{count} pour « {query} »"),
    "results_all": ("{count}, newest first", "{count}, du plus récent au plus ancien"),
    "home_intro": (
        "Search {posts} from {archives} of Python user groups ({years}): meetup reports, "
        "announcements and talk write-ups, by {speakers}.",
        "Cherchez dans {posts} de {archives} de groupes d'utilisateurs Python ({years}) : "
        "comptes-rendus de meetups, annonces et résumés d'interventions, par {speakers}.",
    ),
    "home_years": ("{first}–{last}", "{first}–{last}"),
    "home_browse": ("Browse", "Parcourir"),
    "archive_one": ("{n} archive", "{n} archive"),
    "archive_other": ("{n} archives", "{n} archives"),
    "speaker_one": ("{n} speaker", "{n} intervenant"),
    "speaker_other": ("{n} speakers", "{n} intervenants"),
    "author_one": ("{n} author", "{n} auteur"),
    "author_other": ("{n} authors", "{n} auteurs"),
    "tag_one": ("{n} tag", "{n} mot-clé"),
    "tag_other": ("{n} tags", "{n} mots-clés"),
    "post_one": ("{n} post", "{n} billet"),
    "post_other": ("{n} posts", "{n} billets"),
    "took": ("{ms} ms", "{ms} ms"),
    "page_of": ("page {page} of {pages}", "page {page} sur {pages}"),
    "showing_results_for": ("Showing results for", "Résultats pour"),
    "search_instead_for": ("search instead for", "rechercher plutôt"),
    "did_you_mean": ("Did you mean", "Vouliez-vous dire"),
    "question_mark": ("?", " ?"),
    "ui_switch_label": ("Interface language", "Langue de l'interface"),
    "active_filters": ("Active filters", "Filtres actifs"),
    "remove_filter": ("Remove filter {facet}: {value}", "Retirer le filtre {facet} : {value}"),
    "clear_filters": ("Clear all filters", "Retirer tous les filtres"),
    "sort_label": ("Sort", "Tri"),
    "sort_relevance": ("relevance", "pertinence"),
    "sort_newest": ("newest first", "plus récents"),
    "sort_oldest": ("oldest first", "plus anciens"),
    "apply": ("Apply", "Appliquer"),
    "results_label": ("Results", "Résultats"),
    "more_filters": ("Date and language", "Date et langue"),
    "from_label": ("From", "Du"),
    "to_label": ("To", "Au"),
    "lang_label": ("Post language", "Langue des billets"),
    "lang_any": ("any", "toutes"),
    "facets_label": ("Filters", "Filtres"),
    "facet_tag": ("Tags", "Mots-clés"),
    "facet_author": ("Authors", "Auteurs"),
    "facet_speaker": ("Speakers", "Intervenants"),
    "facet_year": ("Years", "Années"),
    "facet_archive": ("Archives", "Archives"),
    "facet_language": ("Languages", "Langues"),
    "facet_category": ("Category", "Catégorie"),
    "facet_lang": ("Language", "Langue"),
    "facet_from": ("From", "Du"),
    "facet_to": ("To", "Au"),
    "chip_tag": ("tag", "mot-clé"),
    "chip_author": ("author", "auteur"),
    "chip_speaker": ("speaker", "intervenant"),
    "chip_year": ("year", "année"),
    "chip_archive": ("archive", "archive"),
    "chip_language": ("language", "langue"),
    "chip_category": ("category", "catégorie"),
    "chip_lang": ("language", "langue"),
    "chip_from": ("from", "depuis"),
    "chip_to": ("until", "jusqu'au"),
    "facet_more_of": ("More {what}", "Plus de {what}"),
    "facet_filter_label": ("Find among the {what}", "Trouver parmi les {what}"),
    "facet_all_of": ("Show every value ({what})", "Afficher toutes les valeurs ({what})"),
    "facet_none": ("none", "aucun"),
    "selected": ("selected", "sélectionné"),
    "by": ("by", "par"),
    "speakers": ("Speakers", "Intervenants"),
    "tags": ("Tags", "Mots-clés"),
    "no_date": ("undated", "sans date"),
    "pagination": ("Pages", "Pages"),
    "previous": ("Previous", "Précédente"),
    "next": ("Next", "Suivante"),
    "page_n": ("Page {n}", "Page {n}"),
    "empty_title": ("No posts match “{query}”.", "Aucun billet ne correspond à « {query} »."),
    "empty_title_filters": (
        "No posts match these filters.",
        "Aucun billet ne correspond à ces filtres.",
    ),
    "empty_try": ("Things to try:", "À essayer :"),
    "empty_spelling": (
        "check the spelling, or try the suggestion above;",
        "vérifier l'orthographe, ou essayer la suggestion ci-dessus ;",
    ),
    "empty_filters": (
        "remove a filter (each chip above removes one);",
        "retirer un filtre (chaque étiquette ci-dessus en retire un) ;",
    ),
    "empty_fewer": (
        "use fewer words: every word must appear, or join them with OR;",
        "mettre moins de mots : tous doivent apparaître, ou les relier par OR ;",
    ),
    "empty_fuzzy": (
        "match word starts with pyth* or close spellings with atelir~;",
        "chercher un début de mot avec pyth* ou une orthographe proche avec atelir~ ;",
    ),
    "empty_browse": ("or browse:", "ou parcourir :"),
    "page_empty": (
        "There is no page {page}: the last one is {pages}.",
        "Il n'y a pas de page {page} : la dernière est la {pages}.",
    ),
    "no_index_title": ("No index yet", "Pas encore d'index"),
    "no_index_text": (
        "There is nothing to search until the archives are indexed. Build the index with:",
        "Rien à chercher tant que les archives ne sont pas indexées. Construisez l'index avec :",
    ),
    "no_index_then": ("then reload this page.", "puis rechargez cette page."),
    "bad_request_title": ("This search cannot be run", "Cette recherche ne peut pas être lancée"),
    "bad_request_text": ("Change the search and try again.", "Modifiez la recherche et réessayez."),
    "not_found_title": ("Page not found", "Page introuvable"),
    "not_found_text": ("Nothing lives at this address.", "Il n'y a rien à cette adresse."),
    "post_not_found": (
        "No post “{slug}” in archive “{archive}”.",
        "Aucun billet « {slug} » dans l'archive « {archive} ».",
    ),
    "method_title": ("Method not allowed", "Méthode non autorisée"),
    "method_text": (
        "This site only answers GET requests.",
        "Ce site ne répond qu'aux requêtes GET.",
    ),
    "error_title": ("Something went wrong", "Une erreur s'est produite"),
    "error_text": ("The error was logged.", "L'erreur a été consignée."),
    "back_search": ("Back to the search", "Retour à la recherche"),
    "post_published": ("Published at", "Publié sur"),
    "post_links": ("Links", "Liens"),
    "post_archive": ("Archive", "Archive"),
    "post_categories": ("Categories", "Catégories"),
    "post_summary": ("Summary", "Résumé"),
    "post_contents": ("Contents", "Sommaire"),
    "browse_tags": ("Tags", "Mots-clés"),
    "browse_authors": ("Authors", "Auteurs"),
    "browse_speakers": ("Speakers", "Intervenants"),
    "browse_filter_label": ("Find {what}", "Trouver des {what}"),
    "browse_filter_button": ("Filter", "Filtrer"),
    "browse_filter_clear": ("Show all", "Tout afficher"),
    "browse_matching": (
        "{n} of {total} match “{text}”",
        "{n} sur {total} correspondent à « {text} »",
    ),
    "browse_none": ("Nothing contains “{text}”.", "Rien ne contient « {text} »."),
    "browse_value": ("Name", "Nom"),
    "browse_posts": ("Posts", "Billets"),
    "speaker_title": ("Talks of {name}", "Interventions de {name}"),
    "speaker_none": (
        "No talks by “{name}” in the index.",
        "Aucune intervention de « {name} » dans l'index.",
    ),
    "speaker_sections": ("spoke in", "est intervenu·e dans"),
    "speaker_talks": ("talks", "interventions"),
    "speaker_search": ("Search these posts", "Chercher dans ces billets"),
    "timeline_title": ("Posts per year", "Billets par année"),
    "timeline_chart": (
        "Posts per year of archive {archive}",
        "Billets par année de l'archive {archive}",
    ),
    "timeline_year": ("Year", "Année"),
    "timeline_undated": (", {n} undated", ", dont {n} sans date"),
    "timeline_scales": (
        "Each chart has its own scale: its tallest bar is the archive's busiest year.",
        "Chaque graphique a sa propre échelle : sa plus haute barre est l'année la plus "
        "chargée de l'archive.",
    ),
    "timeline_scale": (
        "Scale: the dotted line is {highest}.",
        "Échelle : la ligne pointillée vaut {highest}.",
    ),
    "timeline_chart_scale": (
        "Posts per year of archive {archive}, the tallest bar {highest}",
        "Billets par année de l'archive {archive}, la plus haute barre {highest}",
    ),
    "timeline_table": ("Posts per year, every archive", "Billets par année, toutes archives"),
    "timeline_total": ("Total", "Total"),
    "timeline_empty": ("No dated posts yet.", "Aucun billet daté pour l'instant."),
    "bar_title": ("{archive}, {year}: {count}", "{archive}, {year} : {count}"),
    "feed_title": ("barcamp-search: {query}", "barcamp-search : {query}"),
    "feed_all": ("newest posts", "billets récents"),
    "suggestions_label": ("Suggestions", "Suggestions"),
    "kind_word": ("word", "mot"),
    "kind_tag": ("tag", "mot-clé"),
    "kind_speaker": ("speaker", "intervenant"),
    "kind_title": ("post", "billet"),
    "results_failed": (
        "The results could not be updated: press Enter to search.",
        "Les résultats n'ont pas pu être mis à jour : appuyez sur Entrée pour chercher.",
    ),
}


# French typography: a narrow no-break space (U+202F) before ? ! : ; and », after «,
# where the French strings put a space (never inside a value filled in, nor where no space
# is written: "speaker:" is query syntax).
FRENCH_SPACES = re.compile(r"[ \u00a0\u202f](?=[?!:;»])|(?<=«)[ \u00a0\u202f]")
NARROW_NBSP = "\u202f"


def french_typography(text: str) -> str:
    """The spaces of French punctuation made narrow and unbreakable."""
    return FRENCH_SPACES.sub(NARROW_NBSP, text)


def translate(lang: str, key: str, **values: Any) -> str:
    """The string ``key`` in ``lang``, its ``{placeholders}`` filled in."""
    text = catalogs.text(lang if lang in LANGUAGES else "en", key, STRINGS)
    if lang == "fr":
        text = french_typography(text)
    return text.format(**values) if values else text


def plural(lang: str, key: str, n: int) -> str:
    """``post`` and 3 -> "3 posts": the form of n by the language's CLDR plural rule (French
    counts 0 and 1 as singular), n grouped as the language writes numbers."""
    lang = lang if lang in LANGUAGES else "en"
    text = catalogs.plural_text(lang, key, n, STRINGS)
    if lang == "fr":
        text = french_typography(text)
    return text.format(n=catalogs.format_number(n, lang))


def format_date(value: str | None, lang: str) -> str:
    """An ISO date or date-time in the language's long CLDR format: "15 February 2025",
    "15 février 2025", "15. Februar 2025"."""
    shown = catalogs.format_iso_date(value, lang if lang in LANGUAGES else "en")
    return translate(lang, "no_date") if shown is None else shown


def choose_language(
    ui: str | None, cookie: str | None, accepted: Any, default: str
) -> tuple[str, bool]:
    """(language, whether to remember it in the cookie) for one request.

    ``accepted`` is Werkzeug's ``LanguageAccept`` (``request.accept_languages``).
    """
    if ui in LANGUAGES:
        return ui, ui != cookie
    if cookie in LANGUAGES:
        return cookie, False
    if accepted:
        best = accepted.best_match(LANGUAGES)
        if best:
            return best, False
    return (default if default in LANGUAGES else "en"), False
