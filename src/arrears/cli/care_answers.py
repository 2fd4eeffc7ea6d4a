"""`arrears care kb …`: the knowledge base 知识库 from the command line.

`search` asks the published articles a question the way a borrower would (or, with
`--agents`, as the desk does, agent-only articles included); `show` prints one article;
`load` adds the bundled articles and canned replies that are not there yet (as `arrears init`
does). Each prints a table, or JSON with `--json`; bad input names the field (exit 2).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from arrears.cli._runtime import _, handles_errors, print_json, stdout, user_language

kb = typer.Typer(
    help="The knowledge base: search it, read an article, load the bundled articles.",
    epilog='Example:\n\n  arrears care kb search "怎么还款" --language zh-hans --json',
    no_args_is_help=True,
)

SEARCH_EPILOG = """\
Example:

  arrears care kb search "怎么还款" --language zh-hans --json

  arrears care kb search "can I pay early" --language en --limit 3

  arrears care kb search "脆弱客户" --agents

Searches both language versions of every published article (jieba + BM25, titles count more,
very short Chinese queries by character pairs) and shows each hit in --language.
"""

SHOW_EPILOG = """\
Example:

  arrears care kb show early-repayment --language en
"""

LOAD_EPILOG = """\
Example:

  arrears care kb load --json

Adds the bundled articles (src/arrears/care/data/knowledge/*.yaml) and canned replies whose
slug or code is not there yet; what a lender has edited or archived is left alone.
"""

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
LanguageOption = Annotated[
    str | None,
    typer.Option("--language", help="zh-hans or en (default: your language)."),
]


def register(app: typer.Typer) -> None:
    """Add `arrears care kb …`."""
    kb.command("search", epilog=SEARCH_EPILOG)(search)
    kb.command("show", epilog=SHOW_EPILOG)(show)
    kb.command("load", epilog=LOAD_EPILOG)(load)
    app.add_typer(kb, name="kb")


@handles_errors
def search(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    language: LanguageOption = None,
    limit: Annotated[int, typer.Option(help="At most this many articles.")] = 5,
    agents: Annotated[
        bool, typer.Option("--agents", help="Include articles for the desk only.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Find the articles that answer a question."""
    from arrears.care.selectors.knowledge import search_articles

    language = language or user_language()
    hits = search_articles(question, language=language, for_borrowers=not agents, limit=limit)
    found = [
        {
            "slug": hit.article.slug,
            "title": hit.title,
            "score": hit.score,
            "matched_language": hit.matched_language,
            "summary": hit.summary,
        }
        for hit in hits
    ]
    if as_json:
        print_json({"query": question, "language": language, "hits": found})
        return
    if not found:
        stdout.print(_("No article matches."))
        return
    table = Table(title=_("Knowledge base"))
    for heading in (_("Article"), _("Title"), _("Score")):
        table.add_column(heading)
    for item in found:
        table.add_row(
            Text(str(item["slug"])), Text(str(item["title"])), Text(f"{item['score']:.2f}")
        )
    stdout.print(table)


@handles_errors
def show(
    slug: Annotated[str, typer.Argument(help="The article's address, e.g. early-repayment.")],
    language: LanguageOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print a published article."""
    from arrears.care.selectors.knowledge import article_text, published_by_slug

    language = language or user_language()
    article = published_by_slug(slug, for_borrowers=False)
    title, body = article_text(article, language)
    if as_json:
        print_json(
            {"slug": article.slug, "language": language, "title": title, "body": body,
             "for_borrowers": article.for_borrowers, "updated_at": article.updated_at}
        )  # fmt: skip
        return
    stdout.print(Text(title, style="bold"))
    stdout.print(Text(body))


@handles_errors
def load(as_json: JsonOption = False) -> None:
    """Add the bundled articles and canned replies that are missing."""
    from django.db import transaction

    from arrears.care.services.canned import load_bundled_canned_replies
    from arrears.care.services.knowledge import load_bundled_articles

    with transaction.atomic():
        articles = load_bundled_articles()
        replies = load_bundled_canned_replies()
    if as_json:
        print_json(
            {"ok": True, "articles": sorted(a.slug for a in articles),
             "canned_replies": sorted(r.code for r in replies)}
        )  # fmt: skip
        return
    stdout.print(
        _("Loaded %(articles)d articles and %(replies)d canned replies.")
        % {"articles": len(articles), "replies": len(replies)}
    )
