"""The catalogue's tables (SQLAlchemy 2 declarative models).

The catalogue records what the data lake holds and where it came from: partners, dataset kinds, dataset
versions with provenance, and which force-months each version covers. Schema changes go through Alembic
migrations in ``vrhub/store/catalogue/migrations``; ``tests/store/test_catalogue.py`` fails when a model
changes without a migration.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored with its time zone where the database can (PostgreSQL) and read back as UTC-aware
    everywhere (SQLite keeps no zone), so the same catalogue reads the same on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Partner(Base):
    """An organisation that shares data (a specified authority or cooperating body)."""

    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DatasetKind(Base):
    """A kind of dataset: one canonical schema (e.g. police_uk_street)."""

    __tablename__ = "dataset_kinds"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    schema_version: Mapped[int] = mapped_column(Integer)


class Dataset(Base):
    """One immutable dataset version: one source file, content-addressed by its sha256."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("sha256", name="uq_datasets_sha256"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(ForeignKey("dataset_kinds.name"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    source_file: Mapped[str] = mapped_column(String(500))
    source_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    schema_version: Mapped[int] = mapped_column(Integer)
    vrhub_version: Mapped[str] = mapped_column(String(32))
    lake_path: Mapped[str] = mapped_column(String(500))
    encoding: Mapped[str] = mapped_column(String(32), default="utf-8")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    #: a withdrawn version stays in the lake and the catalogue but is never read (``vrhub withdraw``/``restore``)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    partner: Mapped[Partner | None] = relationship()
    coverage: Mapped[list[DatasetCoverage]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="DatasetCoverage.month"
    )


class DatasetCoverage(Base):
    """Which (force, month) a dataset version covers, and how many accepted rows it has there.

    A later version from the same supplier covering the same force and month supersedes an earlier one (police.uk
    re-issues months as outcomes are updated); the engine reads only the current version of each force-month
    (``vrhub.store.catalogue.coverage``). ``supersedes`` is false where the version barely covers the month (a few
    stray rows in another month's file): there it never replaces the version already read (migration 0007).
    """

    __tablename__ = "dataset_coverage"
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    force: Mapped[str] = mapped_column(String(100), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    supersedes: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    dataset: Mapped[Dataset] = relationship(back_populates="coverage")


class GovernanceVersion(Base):
    """A loaded version of the governance register (partnership, board, strands, action plans).

    The newest is the one in force; every SNA records the sha256 of the version it was built from.
    """

    __tablename__ = "governance_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    origin: Mapped[str] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)


class CommissioningVersion(Base):
    """A loaded version of the commissioning register (services, providers, funding, contracts, evidence).

    The newest is the one in force (``vrhub services import|add``)."""

    __tablename__ = "commissioning_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    origin: Mapped[str] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)


class ReturnsFile(Base):
    """One providers' returns file, loaded once (its sha256), with the rows it set aside and why."""

    __tablename__ = "returns_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_file: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    register_sha256: Mapped[str] = mapped_column(String(64), default="")
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_set_aside: Mapped[int] = mapped_column(Integer)
    set_aside: Mapped[list] = mapped_column(JSON, default=list)

    rows: Mapped[list[ReturnRow]] = relationship(back_populates="file", cascade="all, delete-orphan",
                                                 order_by="ReturnRow.row")


class ReturnRow(Base):
    """One accepted return: a service's provider reported ``value`` of ``measure`` for a period."""

    __tablename__ = "return_rows"
    file_id: Mapped[int] = mapped_column(ForeignKey("returns_files.id", ondelete="CASCADE"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(200), index=True)
    provider: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)
    qualifier: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    file: Mapped[ReturnsFile] = relationship(back_populates="rows")


# --- the data-sharing hub (migration 0005_hub) -------------------------------------------------------------
# Organisations are the ``partners`` above: a partner that uploads through the hub is the same row that the
# CLI's ``--partner`` names, so provenance and agreements point at one table.


class User(Base):
    """A person (or a partner's upload robot) who signs in to the hub. ``role`` is one of
    ``vrhub.governance.access.roles.Role``; the password is stored only as an Argon2 hash (PHC string)."""

    __tablename__ = "hub_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    partner: Mapped[Partner | None] = relationship()


class ApiToken(Base):
    """A bearer token for automated uploads. Only the sha256 of the token is kept (the token itself is shown
    once, when it is made); ``prefix`` (its first characters) lets people tell their tokens apart."""

    __tablename__ = "hub_api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class HubSession(Base):
    """A browser session. The cookie holds a random id; only its sha256 is kept, with the CSRF token that
    every unsafe request made with the cookie must echo in a header."""

    __tablename__ = "hub_sessions"
    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AgreementAnalyst(Base):
    """An analyst named on a data-sharing agreement."""

    __tablename__ = "hub_agreement_analysts"
    agreement_id: Mapped[int] = mapped_column(ForeignKey("hub_agreements.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id", ondelete="CASCADE"), primary_key=True)


class Agreement(Base):
    """A data-sharing agreement: which organisation shares which dataset kinds, for what purpose, on what lawful
    basis, which fields, how long the data are kept (days after upload), which analysts may see the rows, and
    from when to when (``end_date`` inclusive; none: open-ended)."""

    __tablename__ = "hub_agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    lawful_basis: Mapped[str] = mapped_column(Text)
    fields_allowed: Mapped[list] = mapped_column(JSON, default=list)
    #: forces, trusts, ED sites or services (as the rows name them) whose rows the organisation may send under this
    #: agreement besides its own name (migration 0006)
    supplies_for: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    retention_days: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    partner: Mapped[Partner] = relationship()
    analysts: Mapped[list[User]] = relationship(secondary="hub_agreement_analysts", order_by="User.username")


class Upload(Base):
    """One file received by the hub: who sent it, under which agreement, and its load report."""

    __tablename__ = "hub_uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("hub_users.id", ondelete="SET NULL"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("hub_agreements.id"))
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    dataset_ids: Mapped[list] = mapped_column(JSON, default=list)
    report: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditEvent(Base):
    """One row of the append-only, hash-chained audit log (``vrhub.store.audit``).

    ``hash`` = sha256(``prev_hash`` + canonical JSON of the row's other fields); ``prev_hash`` is unique, so two
    writers can never both extend the same row, and the first row's ``prev_hash`` is 64 zeros.
    """

    __tablename__ = "hub_audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    #: the organisation whose data the event concerns (not a foreign key: the log outlives what it names)
    partner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    data_version: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class OidcState(Base):
    """A single sign-on in progress: the OpenID Connect ``state`` sent to the identity provider, with the nonce
    and PKCE code verifier to check its answer against (used once, then deleted; stale after 10 minutes)."""

    __tablename__ = "hub_oidc_states"
    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- the hub's promises (migration 0006_hub_security) --------------------------------------------------------


class LoginThrottle(Base):
    """Failed sign-ins for one user name in the current window (``vrhub.governance.access.throttle``): counted and
    decided in one conditional UPDATE, so concurrent guesses cannot all pass the check."""

    __tablename__ = "hub_login_throttle"
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AuditPartner(Base):
    """An organisation whose data an audit event touched (its ``partner_id`` or the owner of a data version it
    read or wrote): what an organisation's own view of the log is made of. Append-only, like the log."""

    __tablename__ = "hub_audit_partners"
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


# --- police.uk fetches (migration 0008_police_uk_fetches) --------------------------------------------------


class PoliceUkFetch(Base):
    """One kind × month of a force fetched from police.uk (``vrhub fetch police-uk``): where from, which police.uk
    release answered, and what the loader made of it (new, unchanged, revised, empty …). ``vrhub update`` starts
    from these. ``dataset_id`` is not a foreign key: the log outlives a purged version."""

    __tablename__ = "police_uk_fetches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    force: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    month: Mapped[dt.date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(16))  # api | archive
    source: Mapped[str] = mapped_column(Text)  # the API's base URL or the archive's path
    release: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    dataset_id: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[list] = mapped_column(JSON, default=list)
