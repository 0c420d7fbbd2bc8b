-- name: recording-health
-- description: Can this case file be trusted? Per recording session: clean stop, events, losses and why, programs that did not attach, warnings, what was recorded and how, runtimes asked, enrichment dropped.
-- problems sums up what limits the evidence of the session ('none' when nothing does): a stop
-- that was not clean (a crash, a kill, or still recording: the end of the session may be missing),
-- lost events (counted in gaps, by reason in losses), BPF programs that failed to attach (their
-- kinds are missing), start-up warnings, a scope or kind selection (what was left out on purpose
-- was not recorded, not absent), enrichment requests dropped, and clock steps.
-- events counts stored rows; folded (session_settings) says how many more identical calls the rows
-- of event_folds stand for. settings_* columns are NULL for a session without a session_settings
-- row (recorded by a version before schema 6). Times: started/ended in UTC with the raw ns in ts.
SELECT s.started_at AS ts,
       s.id AS session,
       s.host,
       s.kernel,
       strftime('%Y-%m-%dT%H:%M:%S', s.started_at / 1000000000, 'unixepoch') || printf('.%06dZ', (s.started_at / 1000) % 1000000) AS started_utc,
       CASE WHEN s.ended_at IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', s.ended_at / 1000000000, 'unixepoch')
            || printf('.%06dZ', (s.ended_at / 1000) % 1000000) END AS ended_utc,
       round((s.ended_at - s.started_at) / 1e9, 1) AS seconds,
       s.clean_shutdown,
       s.events,
       st.folded,
       s.lost,
       (SELECT group_concat(reason || '=' || total, ', ')
          FROM (SELECT reason, sum(count) AS total FROM gaps WHERE session_id = s.id GROUP BY reason ORDER BY reason)) AS losses,
       (SELECT count(*) FROM gaps WHERE session_id = s.id) AS gap_rows,
       coalesce(nullif(trim(
           CASE WHEN s.clean_shutdown = 0 THEN 'not stopped cleanly (crash, kill or still recording); ' ELSE '' END
           || CASE WHEN s.lost > 0 OR EXISTS (SELECT 1 FROM gaps WHERE session_id = s.id) THEN s.lost || ' events lost; ' ELSE '' END
           || CASE WHEN coalesce(s.attach_failures, '') != '' THEN 'programs not attached; ' ELSE '' END
           || CASE WHEN coalesce(s.warnings, '') != '' THEN 'warnings; ' ELSE '' END
           || CASE WHEN st.scope IS NOT NULL THEN 'scope: ' || st.scope || ' (' || st.scope_skipped || ' events skipped); ' ELSE '' END
           || CASE WHEN st.events_recorded IS NOT NULL AND st.events_recorded != 'all' THEN 'only kinds: ' || st.events_recorded || '; ' ELSE '' END
           || CASE WHEN coalesce(st.not_attached, '') != '' THEN 'left out on purpose: ' || st.not_attached || '; ' ELSE '' END
           || CASE WHEN s.enrichment_dropped > 0 THEN s.enrichment_dropped || ' enrichment requests dropped; ' ELSE '' END
           || CASE WHEN coalesce(s.runtimes, '') = '' THEN 'no container runtime asked; ' ELSE '' END
           || CASE WHEN cs.steps > 0 THEN 'clock stepped ' || cs.steps || ' times (largest ' || round(cs.largest / 1e6, 1) || ' ms); ' ELSE '' END,
           '; '), ''), 'none') AS problems,
       s.attach_failures,
       s.warnings,
       s.attached,
       s.runtimes,
       s.enrichment_dropped,
       st.events_recorded AS settings_events,
       st.scope AS settings_scope,
       st.scope_skipped AS settings_scope_skipped,
       st.argv_max AS settings_argv_max,
       st.environment_captured AS settings_environment_captured,
       st.fold_window_ms AS settings_fold_window_ms,
       st.not_attached AS settings_not_attached,
       st.hooks AS settings_hooks,
       s.privileges,
       s.ring_buffer_bytes,
       s.cgroup_layout,
       s.cgroup_mount,
       s.casefile_version,
       s.command_line,
       s.boot_id,
       s.seal_head
FROM sessions s
LEFT JOIN session_settings st ON st.session_id = s.id
LEFT JOIN (SELECT session_id, count(*) AS steps, max(abs(step_ns)) AS largest FROM clock_steps GROUP BY session_id) cs
       ON cs.session_id = s.id
ORDER BY s.id;
