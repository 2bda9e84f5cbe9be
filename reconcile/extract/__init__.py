"""Layout -> Document: one module per part of the template; this module slices the layout into
parts and hands each part to its extractor. Nothing about the content raises: what cannot be
made sense of is collected as a Problem."""

from __future__ import annotations

from reconcile.extract.assets import extract_assets
from reconcile.extract.budget import extract_budget
from reconcile.extract.document import extract_info
from reconcile.extract.glossary import extract_glossary
from reconcile.extract.organization import extract_organization
from reconcile.extract.parts import Starts, part_starts, slice_parts
from reconcile.extract.performance import extract_performance
from reconcile.extract.procurement import ProcurementTable, read_procurement, with_lines
from reconcile.extract.running_costs import extract_running_costs
from reconcile.extract.three_public import extract_three_public
from reconcile.model import Document, Part, Problem, YearMention
from reconcile.numbers import years_in
from reconcile.sources.layout import Layout


def extract(
    layout: Layout,
    *,
    source: str,
    encoding: str | None,
    source_kind: str = "text",
    procurement_tables: list[ProcurementTable] | None = None,
    starts: Starts | None = None,
) -> Document:
    """The Document a layout holds. With ``procurement_tables``, the procurement lines are not
    built: the part's table, read up to its lines, is appended to that list, and the Document's
    Procurement has no lines (a batch builds their frame from the table's rows, see
    ``rules._frames.procurement_rows``). ``starts``: the parts' places, when already found
    (``parts.part_starts``)."""
    preamble, parts = slice_parts(layout, part_starts(layout) if starts is None else starts)
    info, years = extract_info(preamble, layout.blocks, source, encoding, source_kind)
    mentions: list[YearMention] = list(years)
    problems: list[Problem] = []
    sections: dict[str, object] = {}
    found: list[Part] = []
    for part in parts:
        heading = part.heading
        found.append(
            Part(part.key, heading.text if heading else "", heading.line if heading else None)
        )
        if heading is not None and part.key != "assets":
            # A year in a part heading names the document's year (assets speak of last year's end).
            mentions += [
                YearMention(
                    year, "heading", "current", heading.text, heading.line, heading.location
                )
                for year, _ in years_in(heading.text)
            ]
        if part.key in sections:
            problems.append(
                Problem(
                    part.key,
                    f"the part {part.key} appears twice; the first is used",
                    heading.line if heading else None,
                )
            )
            continue
        if part.key == "organization":
            sections["organization"] = extract_organization(part)
        elif part.key == "budget":
            budget, m, p = extract_budget(part)
            sections["budget"] = budget
            mentions += m
            problems += p
        elif part.key == "running_costs":
            sections["running_costs"] = extract_running_costs(part)
        elif part.key == "three_public":
            three_public, p = extract_three_public(part)
            sections["three_public"] = three_public
            problems += p
        elif part.key == "performance":
            performance, m, p = extract_performance(part)
            sections["performance"] = performance
            mentions += m
            problems += p
        elif part.key == "procurement":
            table = read_procurement(part)
            if procurement_tables is None:
                sections["procurement"] = with_lines(table)
            else:  # a batch builds the lines' frame from the table's rows
                procurement_tables.append(table)
                sections["procurement"] = table.procurement
            mentions += table.mentions
            problems += table.problems
        elif part.key == "assets":
            assets, m, p = extract_assets(part)
            sections["assets"] = assets
            mentions += m
            problems += p
        elif part.key == "glossary":
            sections["glossary"] = extract_glossary(part)
    return Document(
        info=info,
        parts=tuple(found),
        years=tuple(mentions),
        problems=tuple(problems),
        **sections,  # type: ignore[arg-type]
    )
