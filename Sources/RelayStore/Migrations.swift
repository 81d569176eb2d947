import GRDB

/// The schema, as frozen history: a migration, once released, is never edited.
///
/// Layout follows DESIGN.md "Performance": sealed bodies live in their own tables, apart from the
/// small, indexed queue state that leases and acks rewrite; leases read one partial-index range.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-reports-and-queue") { db in
            try db.execute(sql: """
                CREATE TABLE reports (
                    seq INTEGER PRIMARY KEY,
                    report_id TEXT NOT NULL UNIQUE CHECK (length(report_id) = 36),
                    centre_id TEXT NOT NULL,
                    envelope_sha256 TEXT NOT NULL CHECK (length(envelope_sha256) = 64),
                    status TEXT NOT NULL CHECK (status IN ('queued','leased','delivered','dead_letter','withdrawn','stats_only')),
                    consent_level TEXT NOT NULL CHECK (consent_level IN ('stats_only','anonymous','identity','identity_and_contact')),
                    share_demographics INTEGER NOT NULL CHECK (share_demographics IN (0,1)),
                    intake_id TEXT,
                    risk TEXT NOT NULL CHECK (risk IN ('standard','high')),
                    borough TEXT,
                    police_force_area TEXT,
                    strands TEXT NOT NULL,
                    communities TEXT NOT NULL,
                    types TEXT NOT NULL,
                    occurred_at INTEGER NOT NULL,
                    accepted_at INTEGER NOT NULL,
                    delivered_at INTEGER,
                    police_reference TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    acceptance TEXT NOT NULL,
                    CHECK ((status = 'stats_only') = (intake_id IS NULL))
                );
                CREATE INDEX reports_by_centre ON reports(centre_id, seq);
                CREATE INDEX reports_by_centre_status ON reports(centre_id, status, seq);

                -- The sealed envelope exactly as the centre sent it: only the relay's key opens it.
                CREATE TABLE report_originals (
                    report_id TEXT PRIMARY KEY REFERENCES reports(report_id) ON DELETE CASCADE,
                    envelope TEXT NOT NULL
                ) WITHOUT ROWID;

                -- Kept apart from anything that identifies the victim.
                CREATE TABLE victim_pseudonyms (
                    report_id TEXT PRIMARY KEY REFERENCES reports(report_id) ON DELETE CASCADE,
                    pseudonym TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX victim_pseudonyms_by_pseudonym ON victim_pseudonyms(pseudonym);

                CREATE TABLE deliveries (
                    seq INTEGER PRIMARY KEY,
                    delivery_id TEXT NOT NULL UNIQUE CHECK (length(delivery_id) = 36),
                    report_id TEXT NOT NULL REFERENCES reports(report_id),
                    intake_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('report','consent_update')),
                    state TEXT NOT NULL CHECK (state IN ('queued','leased','delivered','dead_letter','withdrawn','superseded')),
                    priority INTEGER NOT NULL CHECK (priority IN (0,1)),
                    visible_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    lease_token TEXT,
                    payload_sha256 TEXT NOT NULL,
                    delivered_at INTEGER,
                    dead_lettered_at INTEGER,
                    police_reference TEXT,
                    receipt_id TEXT,
                    CHECK (state <> 'delivered' OR (delivered_at IS NOT NULL AND receipt_id IS NOT NULL))
                );
                -- Ready items of one intake, high risk first (priority 0), then oldest.
                CREATE INDEX deliveries_ready ON deliveries(intake_id, priority, seq) WHERE state = 'queued';
                -- Leased (or nack-delayed) items of one intake, by when they become visible again.
                CREATE INDEX deliveries_invisible ON deliveries(intake_id, visible_at) WHERE state = 'leased';
                CREATE INDEX deliveries_by_report ON deliveries(report_id);

                -- Sealed police views, one per delivery item.
                CREATE TABLE delivery_bodies (
                    delivery_id TEXT PRIMARY KEY REFERENCES deliveries(delivery_id),
                    envelope TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE receipts (
                    seq INTEGER PRIMARY KEY,
                    receipt_id TEXT NOT NULL UNIQUE,
                    centre_id TEXT NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports(report_id),
                    type TEXT NOT NULL CHECK (type IN ('accepted','delivered','consent_update_delivered','dead_letter')),
                    body TEXT NOT NULL
                );
                CREATE INDEX receipts_by_centre ON receipts(centre_id, seq);
                """)
        }
        migrator.registerMigration("v2-audit-log") { db in
            try db.execute(sql: """
                -- The append-only audit log: one row per entry; the leaf is the JCS encoding of
                -- {index, at, actor, role, action, report_id?, delivery_id?, details}.
                CREATE TABLE audit_entries (
                    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT NOT NULL,
                    action TEXT NOT NULL,
                    report_id TEXT,
                    delivery_id TEXT,
                    details TEXT NOT NULL,
                    -- Not part of the leaf: the report's row number, so that a report's history is an
                    -- index range. Keyed by the (increasing) row number rather than the random report
                    -- id, appends touch the index's right-hand pages instead of a random page each.
                    report_seq INTEGER
                );
                CREATE INDEX audit_entries_by_report ON audit_entries(report_seq) WHERE report_seq IS NOT NULL;

                -- Hashes of every perfect subtree: node (level, idx) covers leaves
                -- [idx * 2^level, (idx + 1) * 2^level). Appends add two rows on average; any root or
                -- proof reads O(log n) of them. Level 0 is kept apart from the entries on purpose: an
                -- entry edited or inserted by hand then no longer matches the hash the relay recorded.
                CREATE TABLE audit_nodes (
                    level INTEGER NOT NULL CHECK (level >= 0),
                    idx INTEGER NOT NULL CHECK (idx >= 0),
                    hash BLOB NOT NULL CHECK (length(hash) = 32),
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID;

                -- Signed checkpoints (C2SP signed notes), one per tree size.
                CREATE TABLE checkpoints (
                    tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 0),
                    root BLOB NOT NULL CHECK (length(root) = 32),
                    note TEXT NOT NULL,
                    at INTEGER NOT NULL
                );

                -- The relay never rewrites its history. (Someone with the file can drop these
                -- triggers; signed checkpoints and `relayctl audit verify` are what detect that.)
                CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

                ALTER TABLE receipts ADD COLUMN audit_index INTEGER REFERENCES audit_entries(idx);
                CREATE INDEX deliveries_by_state ON deliveries(state, seq);
                """)
        }
        migrator.registerMigration("v3-consent-events") { db in
            try db.execute(sql: """
                -- Every consent event: who, when, from, to, method (never the victim's identity).
                CREATE TABLE consent_events (
                    seq INTEGER PRIMARY KEY,
                    report_id TEXT NOT NULL REFERENCES reports(report_id),
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    from_level TEXT CHECK (from_level IN ('stats_only','anonymous','identity','identity_and_contact')),
                    to_level TEXT NOT NULL CHECK (to_level IN ('stats_only','anonymous','identity','identity_and_contact')),
                    share_demographics INTEGER NOT NULL CHECK (share_demographics IN (0,1)),
                    method TEXT,
                    recorded_at INTEGER,
                    effect TEXT NOT NULL CHECK (effect IN ('recorded','requeued','update_forwarded','withdrawn','unchanged'))
                );
                CREATE INDEX consent_events_by_report ON consent_events(report_id, seq);
                -- Consent recorded at submission, for reports stored before this table existed.
                INSERT INTO consent_events (report_id, at, actor, from_level, to_level, share_demographics, effect)
                SELECT report_id, accepted_at, centre_id, NULL, consent_level, share_demographics, 'recorded' FROM reports;
                """)
        }
        migrator.registerMigration("v4-consent-recorded-by") { db in
            try db.execute(sql: """
                -- Who at the centre recorded each consent (a caseworker reference, never a name).
                ALTER TABLE consent_events ADD COLUMN recorded_by TEXT;
                """)
        }
        migrator.registerMigration("v5-case-updates") { db in
            try db.execute(sql: """
                -- The centre's own case reference, returned with case updates (NULL for reports
                -- stored before this migration).
                ALTER TABLE reports ADD COLUMN centre_reference TEXT;

                -- Case updates from the intake that received a report, for the centre that sent it.
                -- The message is sealed to the centre's key: the relay keeps it and cannot open it.
                CREATE TABLE case_updates (
                    seq INTEGER PRIMARY KEY,
                    update_id TEXT NOT NULL UNIQUE CHECK (length(update_id) = 36),
                    report_id TEXT NOT NULL REFERENCES reports(report_id),
                    centre_id TEXT NOT NULL,
                    intake_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('recorded_crime','recorded_incident','officer_assigned','contact_requested',
                                                            'investigation_ongoing','outcome','closed')),
                    outcome_code INTEGER CHECK (outcome_code BETWEEN 1 AND 22),
                    outcome_label TEXT,
                    occurred_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    -- SHA-256 of the request body's JCS bytes: a retry must match it.
                    request_sha256 TEXT NOT NULL CHECK (length(request_sha256) = 64),
                    message TEXT,
                    payload_sha256 TEXT NOT NULL,
                    receipt TEXT NOT NULL,
                    seen_at INTEGER,
                    seen_receipt TEXT,
                    CHECK ((status = 'outcome') = (outcome_code IS NOT NULL)),
                    CHECK ((seen_at IS NULL) = (seen_receipt IS NULL))
                );
                CREATE INDEX case_updates_by_centre ON case_updates(centre_id, seq);
                CREATE INDEX case_updates_by_report ON case_updates(report_id, seq);

                -- Receipts that belong to an intake (an update accepted, an update seen by the centre).
                CREATE TABLE intake_receipts (
                    seq INTEGER PRIMARY KEY,
                    receipt_id TEXT NOT NULL UNIQUE,
                    intake_id TEXT NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports(report_id),
                    update_id TEXT NOT NULL,
                    type TEXT NOT NULL CHECK (type IN ('update_accepted','update_seen')),
                    body TEXT NOT NULL,
                    audit_index INTEGER REFERENCES audit_entries(idx)
                );
                CREATE INDEX intake_receipts_by_intake ON intake_receipts(intake_id, seq);
                """)
        }
        migrator.registerMigration("v6-store-probe") { db in
            try db.execute(sql: """
                -- One row rewritten by /readyz: proof that a write can be committed now (disk not full,
                -- file system writable).
                CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("v7-stats-by-month") { db in
            // Statistics read the reports accepted in a range of months.
            try db.execute(sql: "CREATE INDEX reports_by_accepted_at ON reports(accepted_at)")
        }
        migrator.registerMigration("v8-sealed-bodies-in-rowid-tables") { db in
            // The sealed bodies (4-10 KB each) were WITHOUT ROWID tables: B-trees keyed by the whole
            // record, whose cells overflow onto other pages. SQLite compares such a cell by reading
            // its whole record, overflow pages and all, so every lookup or insert read about twenty
            // pages where three hold the row (`.stats` on a lease of 50 items: 1,086 page reads,
            // 193 after). In ordinary tables the B-tree is keyed by the row number, the id lives in
            // a small unique index, and a body's overflow pages are read only when it is asked for.
            // Same names and columns: no query changes. Rows are copied in key order, once. (An
            // ordinary table's text primary key would take NULLs, which WITHOUT ROWID refused:
            // hence NOT NULL.)
            try db.execute(sql: """
                CREATE TABLE report_originals_v8 (
                    report_id TEXT NOT NULL PRIMARY KEY REFERENCES reports(report_id) ON DELETE CASCADE,
                    envelope TEXT NOT NULL
                );
                INSERT INTO report_originals_v8 (report_id, envelope) SELECT report_id, envelope FROM report_originals;
                DROP TABLE report_originals;
                ALTER TABLE report_originals_v8 RENAME TO report_originals;

                CREATE TABLE delivery_bodies_v8 (
                    delivery_id TEXT NOT NULL PRIMARY KEY REFERENCES deliveries(delivery_id),
                    envelope TEXT NOT NULL
                );
                INSERT INTO delivery_bodies_v8 (delivery_id, envelope) SELECT delivery_id, envelope FROM delivery_bodies;
                DROP TABLE delivery_bodies;
                ALTER TABLE delivery_bodies_v8 RENAME TO delivery_bodies;
                """)
        }
        return migrator
    }
}
