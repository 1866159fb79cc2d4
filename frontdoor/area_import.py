"""``frontdoor areas import``: the two files a council downloads, read into the area
lookups (``frontdoor.models.areas``) that ``frontdoor.areas`` reads.

    frontdoor areas import --postcodes PCD_OA21_LSOA21_MSOA21_LAD_MAY25_UK_LU.csv
    frontdoor areas import --deprivation File_7_IoD2025_....csv

README ("Where families come from") names the files and their columns. Both are large
(the UK postcode lookup has about 2.7 million rows): they are read as a stream and
written in batches, each batch one multi-row upsert, so memory stays flat and a second
import of the same file changes nothing. A file with the wrong columns, a row that is
not what it should be, or bytes in another encoding stop the import with the line
number, before anything is committed.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import click
from flask.cli import AppGroup
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from frontdoor.errors import ServiceError
from frontdoor.extensions import db
from frontdoor.models.areas import AreaDeprivation, AreaPostcode
from frontdoor.words.staff import for_staff

areas_cli = AppGroup(
    "areas", help="Where families come from: the postcode and deprivation lookups."
)
BATCH = 5000

# The first of each that a file's header has is read (ONS and MHCLG have renamed them
# between releases). Postcodes are stored without spaces, so any postcode column will do.
POSTCODE = ("pcds", "pcd7", "pcd8", "pcd")
POSTCODE_LSOA = ("lsoa21cd", "lsoa21")
DEPRIVATION_LSOA = ("LSOA code (2021)", "LSOA code (2011)")
DEPRIVATION_NAME = ("LSOA name (2021)", "LSOA name (2011)")
# IoD2019 and IoD2025 word it "... Decile (where 1 is most deprived 10% of LSOAs)".
DECILE_STARTS = "Index of Multiple Deprivation (IMD) Decile"


@dataclass(frozen=True)
class Imported:
    rows: int
    changed: int
    lsoa_2011: bool = False


def _lines(stream: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Each row and its line number (1 is the header). Lines are decoded one by one,
    so a byte in another encoding is reported on the line it is on."""

    def decoded() -> Iterator[str]:
        for line, raw in enumerate(stream, start=1):
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError:
                raise ServiceError("area_file_encoding", line=line, encoding=encoding) from None

    reader = csv.reader(decoded())
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error:
        raise ServiceError("area_file_row", line=reader.line_num + 1) from None


def _column(header: Sequence[str], names: Sequence[str], starts: str = "") -> int | None:
    cleaned = [name.strip() for name in header]
    for name in names:
        if name in cleaned:
            return cleaned.index(name)
    if starts:
        return next((i for i, name in enumerate(cleaned) if name.startswith(starts)), None)
    return None


def _columns(header: Sequence[str], *wanted: tuple[Sequence[str], str]) -> list[int]:
    """Where each wanted column is; the file is refused, at line 1, if one is missing."""
    found = [_column(header, names, starts) for names, starts in wanted]
    missing = [
        (names[0] if names else starts)
        for (names, starts), at in zip(wanted, found, strict=True)
        if at is None
    ]
    if missing:
        raise ServiceError("area_file_columns", line=1, missing=", ".join(missing))
    return [at for at in found if at is not None]


def _upsert(table: Table, key: str, rows: list[dict]) -> int:
    """Insert new rows and update changed ones; rows that are the same are not touched,
    so the count is what changed."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(rows)
    others = [c.name for c in table.columns if c.name != key]
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: statement.excluded[name] for name in others},
        where=db.or_(*(table.c[name] != statement.excluded[name] for name in others)),
    )
    # RETURNING names only the rows inserted or updated (psycopg's rowcount for a
    # multi-row upsert is -1).
    return len(db.session.execute(statement.returning(table.c[key])).all())


def _in_batches(table: Table, key: str, rows: Iterator[dict]) -> Imported:
    batch: dict[str, dict] = {}
    count = changed = 0
    for row in rows:
        batch[row[key]] = row  # a key twice in one file: the later row stands
        count += 1
        if len(batch) >= BATCH:
            changed += _upsert(table, key, list(batch.values()))
            batch = {}
    if batch:
        changed += _upsert(table, key, list(batch.values()))
    return Imported(rows=count, changed=changed)


def import_postcodes(stream: IO[bytes], *, encoding: str = "utf-8-sig") -> Imported:
    """The ONS postcode to LSOA (2021) lookup, into ``area_postcode``."""
    rows = _lines(stream, encoding)
    header = next(rows, (1, []))[1]
    postcode_at, lsoa_at = _columns(header, (POSTCODE, ""), (POSTCODE_LSOA, ""))

    def read() -> Iterator[dict]:
        for line, row in rows:
            try:
                postcode = "".join(row[postcode_at].split()).upper()
                lsoa = row[lsoa_at].strip()
            except IndexError:
                raise ServiceError("area_file_row", line=line) from None
            if not 5 <= len(postcode) <= 7 or len(lsoa) > 9:
                raise ServiceError("area_file_row", line=line)
            if lsoa:  # a postcode with no census area (a PO box, say) has nothing to give
                yield {"postcode": postcode, "lsoa": lsoa}

    return _in_batches(cast(Table, AreaPostcode.__table__), "postcode", read())


def import_deprivation(stream: IO[bytes], *, encoding: str = "utf-8-sig") -> Imported:
    """The English Indices of Deprivation, one row per LSOA, into ``area_deprivation``."""
    rows = _lines(stream, encoding)
    header = next(rows, (1, []))[1]
    lsoa_at, name_at, decile_at = _columns(
        header, (DEPRIVATION_LSOA, ""), (DEPRIVATION_NAME, ""), ((), DECILE_STARTS)
    )

    def read() -> Iterator[dict]:
        for line, row in rows:
            try:
                lsoa, name, decile = row[lsoa_at].strip(), row[name_at].strip(), row[decile_at]
                decile_number = int(decile)
            except (IndexError, ValueError):
                raise ServiceError("area_file_row", line=line) from None
            if not lsoa.startswith("E") or len(lsoa) > 9 or not 1 <= decile_number <= 10:
                raise ServiceError("area_file_row", line=line)
            yield {"lsoa": lsoa, "name": name[:100], "imd_decile": decile_number}

    result = _in_batches(cast(Table, AreaDeprivation.__table__), "lsoa", read())
    # IoD2019 is on 2011 LSOAs; the postcode lookup gives 2021 ones (see README).
    lsoa_2011 = header[lsoa_at].strip() == "LSOA code (2011)"
    return Imported(rows=result.rows, changed=result.changed, lsoa_2011=lsoa_2011)


def _run(path: str, importer: Callable[..., Imported], encoding: str, what: str) -> None:
    try:
        with Path(path).open("rb") as stream:
            result = importer(stream, encoding=encoding)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"Could not read {path}: {type(error).__name__}") from None
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {for_staff(error)}") from None
    db.session.commit()
    click.echo(f"{what}: {result.rows} read, {result.changed} added or changed.")
    if result.lsoa_2011:
        click.echo(
            "  This file uses 2011 LSOAs, but postcodes are looked up to 2021 LSOAs: areas "
            "whose LSOA changed in 2021 will have no decile. Use the 2025 indices if you can."
        )


@areas_cli.command("import")
@click.option("--postcodes", "postcodes", help="ONS postcode to LSOA (2021) lookup, CSV.")
@click.option("--deprivation", "deprivation", help="English Indices of Deprivation by LSOA, CSV.")
@click.option(
    "--encoding",
    default="utf-8-sig",
    show_default=True,
    help="The files' encoding, if not UTF-8 (for example cp1252).",
)
def import_command(postcodes: str | None, deprivation: str | None, encoding: str) -> None:
    """Add or update the postcode and deprivation lookups (each file is optional)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise click.BadParameter(
            f"unknown encoding {encoding!r}", param_hint="--encoding"
        ) from None
    if not postcodes and not deprivation:
        raise click.UsageError("Give --postcodes FILE, --deprivation FILE, or both.")
    if postcodes:
        _run(postcodes, import_postcodes, encoding, "Postcodes")
    if deprivation:
        _run(deprivation, import_deprivation, encoding, "Areas")
