"""Curate (for advocates): build, check and publish provider lists in the workspace."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from providers import DirectoryError, json_bytes, parse_directory
from providers.duplicates import find_duplicates
from providers.fetch import FetchError, fetch_directory
from providers.formulas import unguard_series
from providers.locate import locate_clinics
from providers.registry import NpiRegistry, RegistryError, verify
from providers.schema import Schema
from providers.workspace import Conflict, Workspace, WorkspaceError, text_cells
from ui import state

NUMERIC = ("number", "count")


def open_workspace() -> Workspace | None:
    config = state.settings()
    if config is None:
        return None
    try:
        return Workspace.open(config.workspace)
    except WorkspaceError as exc:
        st.error(f"The workspace cannot be opened: {exc}")
        return None


def editable(cells: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Stored cells as the editor shows them: plain text, numbers as numbers."""
    out = cells.apply(unguard_series)
    for column in schema.columns:
        if column.kind in NUMERIC:
            out[column.name] = pd.to_numeric(out[column.name], errors="coerce")
    return out


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def edits_between(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, str]]:
    """clinic id -> {field: new text} for every cell the editor changed."""
    changes: dict[str, dict[str, str]] = {}
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        fields = {
            name: _text(new[name])
            for name in before.columns
            if name != "id" and _text(old[name]) != _text(new[name])
        }
        if fields:
            changes[str(old["id"])] = fields
    return changes


def column_config(schema: Schema) -> dict:
    cc = st.column_config
    config: dict = {"id": cc.TextColumn("id", disabled=True)}
    for column in schema.columns:
        if column.kind == "tristate":
            config[column.name] = cc.SelectboxColumn(column.name, options=["yes", "no", "unknown"])
        elif column.kind in NUMERIC:
            config[column.name] = cc.NumberColumn(
                column.name, min_value=column.low, max_value=column.high,
                step=1 if column.kind == "count" else None,
            )  # fmt: skip
        elif column.kind == "url":
            config[column.name] = cc.TextColumn(column.name, validate=r"^(https?://\S+)?$")
        elif column.kind == "date":
            config[column.name] = cc.TextColumn(column.name, validate=r"^(\d{4}-\d{2}-\d{2})?$")
    return config


def finish(message: str) -> None:
    """Show `message` after a rerun, so every tab redraws from the saved data."""
    st.session_state["curate.flash"] = message
    st.rerun()


def snapshot(ws: Workspace, name: str, refresh: bool = False):
    """The list as it was when this editor opened (so saves can detect others' changes)."""
    key = f"curate.snapshot.{name}"
    if refresh or key not in st.session_state:
        st.session_state[key] = ws.cells(name)
        st.session_state.pop(f"w.editor.{name}", None)
    return st.session_state[key]


def clinics_tab(ws: Workspace, name: str, who: str) -> None:
    cells, versions = snapshot(ws, name)
    if cells.empty:
        st.info("This list has no clinics yet: import some on the Import tab.")
        return
    before = editable(cells, ws.schema)
    st.caption(
        "Edit answers (yes / no / unknown), sources (http/https links) and check dates "
        "(YYYY-MM-DD) per criterion, then save. Every change is logged."
    )
    after = st.data_editor(
        before, column_config=column_config(ws.schema), hide_index=True,
        num_rows="fixed", key=f"w.editor.{name}", height=420,
    )  # fmt: skip
    left, right = st.columns(2)
    if left.button("Save changes", key="w.curate.save", type="primary"):
        save(ws, name, edits_between(before, after), versions, who)
    if right.button("Reload the list", key="w.curate.reload"):
        snapshot(ws, name, refresh=True)
        st.rerun()
    with st.expander("Mark evidence as stale"):
        ids = before["id"].tolist()
        clinic = st.selectbox("Clinic", ids, key="w.curate.stale_clinic")
        criterion = st.selectbox(
            "Criterion", [c.key for c in ws.schema.checklist.criteria], key="w.curate.stale_crit"
        )
        if st.button("Clear its check date (it will show as stale)", key="w.curate.stale"):
            save(
                ws, name, {clinic: {f"{criterion}.verified_on": ""}}, versions, who, "marked stale"
            )


def save(ws, name, changes, versions, who, source="edit") -> None:
    if not changes:
        st.info("Nothing changed.")
        return
    saved, problems = 0, []
    bar = st.progress(0.0, text="Saving...")
    for done, (clinic_id, fields) in enumerate(changes.items(), start=1):
        try:
            if (
                ws.save_clinic(name, clinic_id, fields, versions[clinic_id], who, source)
                > versions[clinic_id]
            ):
                saved += 1
        except (Conflict, WorkspaceError) as exc:
            problems.append(str(exc))
        bar.progress(done / len(changes), text=f"Saved {done} of {len(changes)}")
    snapshot(ws, name, refresh=True)
    for problem in problems:
        st.error(problem)
    if not problems:
        finish(f"Saved changes to {saved} clinic(s)." if saved else "Nothing changed.")
    elif saved:
        st.success(f"Saved changes to {saved} clinic(s); the others were not saved.")


def import_tab(ws: Workspace, name: str, who: str) -> None:
    config = state.settings()
    st.subheader("From a file or a web address")
    upload = st.file_uploader("Directory file (CSV or JSON)", type=["csv", "json", "tsv", "txt"],
                              key="w.curate.upload")  # fmt: skip
    url = st.text_input("...or a web address (http/https)", key="w.curate.url")
    data, label = None, ""
    if upload is not None:
        data, label = upload.getvalue(), upload.name
    elif url.strip() and st.button("Fetch", key="w.curate.fetch"):
        try:
            got = fetch_directory(url.strip(), max_bytes=config.max_upload_bytes,
                                  address_allowed=config.url_address_allowed())  # fmt: skip
        except FetchError as exc:
            st.error(f"Not fetched: {exc}")
            return
        st.session_state["curate.fetched"] = (got.data, got.filename)
    if data is None and "curate.fetched" in st.session_state and url.strip():
        data, label = st.session_state["curate.fetched"]
    if data is not None:
        review_import(ws, name, who, data, label, config.max_upload_bytes)
    st.subheader("From the NPI registry (US organisations)")
    registry_search(ws, name, who, config)


def review_import(ws, name, who, data, label, max_bytes) -> None:
    try:
        result, _ = state.read_upload(data, label, max_bytes)
    except DirectoryError as exc:
        st.error(f"{label} cannot be used: {exc}")
        return
    st.write(f"{label}: {len(result.table)} clinics read, {result.rejected} rows rejected.")
    if len(result.problems):
        st.dataframe(result.problems, hide_index=True, width="stretch")
    existing, _ = ws.cells(name)
    matches = find_duplicates(existing, result.table) if len(existing) else []
    merge = []
    for m in matches:
        if st.checkbox(f"Merge {m.incoming_id} into {m.existing_id}: {m.reason}", value=True,
                       key=f"w.curate.merge.{m.existing_id}.{m.incoming_id}"):  # fmt: skip
            merge.append(m)
    merged_ids = {m.incoming_id for m in merge}
    taken = set(existing["id"]) if len(existing) else set()
    fresh = result.table[~result.table["id"].isin(merged_ids | taken)]
    clashes = sorted(set(result.table["id"]) & taken - merged_ids)
    if clashes:
        st.warning(f"{len(clashes)} id(s) already in the list and not merged are skipped: "
                   f"{', '.join(clashes[:5])}")  # fmt: skip
    if st.button(f"Import {len(fresh)} new and merge {len(merge)} into '{name}'",
                 key="w.curate.import"):  # fmt: skip
        incoming = text_cells(result.table, ws.schema).set_index("id", drop=False)
        bar = st.progress(0.0, text="Merging...")
        try:
            for done, m in enumerate(merge, start=1):
                ws.merge_into(name, m.existing_id, incoming.loc[m.incoming_id], who, label)
                bar.progress(done / max(len(merge), 1), text=f"Merged {done} of {len(merge)}")
            count = ws.import_table(name, fresh, who, label) if len(fresh) else 0
        except (Conflict, WorkspaceError) as exc:
            st.error(str(exc))
            return
        snapshot(ws, name, refresh=True)
        st.session_state.pop("curate.fetched", None)
        finish(f"Imported {count} clinic(s) and merged {len(merge)}.")


def registry_search(ws, name, who, config) -> None:
    a, b = st.columns(2)
    org = a.text_input("Organisation name (use * as a wildcard)", key="w.curate.npi_name",
                       placeholder="ketamine*")  # fmt: skip
    region = b.text_input("State (two letters)", key="w.curate.npi_state", max_chars=2)
    if st.button("Search the registry", key="w.curate.npi_search"):
        try:
            found = NpiRegistry(config.npi_url).search(
                name=org.strip(), state=region.strip().upper()
            )
        except RegistryError as exc:
            st.error(f"Registry search failed: {exc}")
            return
        st.session_state["curate.npi_found"] = found
    found = st.session_state.get("curate.npi_found", [])
    if not found:
        return
    labels = {r.number: f"{r.name} - {r.city}, {r.state} (NPI {r.number})" for r in found}
    chosen = st.multiselect("Add these organisations (their evidence starts unknown)", list(labels),
                            format_func=labels.get, key="w.curate.npi_pick")  # fmt: skip
    if chosen and st.button(f"Add {len(chosen)} to '{name}'", key="w.curate.npi_add"):
        rows = [
            {"id": f"npi-{r.number}", "name": r.name.title(), "address": r.address.title(),
             "city": r.city.title(), "region": r.state, "postal_code": r.postal_code[:5],
             "country": "US", "phone": r.phone, "npi": r.number}
            for r in found if r.number in chosen
        ]  # fmt: skip
        table = parse_directory(
            pd.DataFrame(rows).to_csv(index=False).encode(), "registry.csv"
        ).table
        try:
            ws.import_table(name, table, who, config.npi_url)
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        snapshot(ws, name, refresh=True)
        finish(f"Added {len(rows)} clinic(s).")


def verify_npis(ws, name, who) -> None:
    config = state.settings()
    cells, versions = snapshot(ws, name)
    with_npi = cells[cells["npi"] != ""]
    st.write(f"{len(with_npi)} clinic(s) in this list have an NPI.")
    # Each result is saved as it comes, so an interrupted run resumes with the clinics left.
    if st.checkbox("Only clinics not checked yet", value=True, key="w.curate.verify_new"):
        with_npi = with_npi[with_npi["expertise.npi_verified"] == "unknown"]
    if len(with_npi) and st.button(f"Check {len(with_npi)} against the NPI registry",
                                   key="w.curate.verify"):  # fmt: skip
        registry = NpiRegistry(config.npi_url)
        bar = st.progress(0.0, text="Checking...")
        for done, clinic in enumerate(with_npi.to_dict("records"), start=1):
            try:
                result = verify(clinic["id"], clinic["npi"], clinic["address"],
                                clinic["postal_code"], registry)  # fmt: skip
                fields = {"expertise.npi_verified": result.answer}
                if not clinic["expertise.source"]:  # the registry becomes the evidence source
                    fields["expertise.source"] = result.source
                    fields["expertise.verified_on"] = result.verified_on.isoformat()
                ws.save_clinic(
                    name, clinic["id"], fields, versions[clinic["id"]], who, result.source
                )
                note = "; ".join(result.problems) or "active, matching specialty"
                st.write(f"{clinic['id']}: {result.answer} ({note})")
            except (RegistryError, Conflict, WorkspaceError) as exc:
                st.error(f"{clinic['id']}: not checked: {exc}")
            bar.progress(done / len(with_npi), text=f"Checked {done} of {len(with_npi)}")
        snapshot(ws, name, refresh=True)


def locate_tab(ws: Workspace, name: str, who: str) -> None:
    """Fill in coordinates (offline centroids, or the online geocoder when it is switched on)."""
    config = state.settings()
    cells, versions = snapshot(ws, name)
    missing = cells[(cells["latitude"] == "") | (cells["location_precision"] == "none")]
    geocoder = state.online_geocoder(config)
    how = (
        "the online geocoder (each address once, cached)"
        if geocoder
        else "offline ZIP and city centres"
    )
    st.write(f"{len(missing)} clinic(s) have no coordinates; they can be filled from {how}.")
    if missing.empty or not st.button("Fill in coordinates", key="w.curate.locate"):
        return
    bar = st.progress(0.0, text="Locating...")

    def progress(done: int, total: int, clinic: str) -> None:
        bar.progress(done / max(total, 1), text=f"Looking up {done} of {total}: {clinic}")

    table = ws.load(name)[0].table
    located, report = locate_clinics(table[table["id"].isin(missing["id"])], state.gazetteer(),
                                     geocoder, progress)  # fmt: skip
    if report.notice:
        st.warning(report.notice)
    changes = {
        row["id"]: {"latitude": f"{row['latitude']}", "longitude": f"{row['longitude']}",
                    "location_precision": row["location_precision"]}
        for row in located.to_dict("records") if row["location_precision"] != "none"
    }  # fmt: skip
    save(ws, name, changes, versions, who, "geocode")


def history_tab(ws: Workspace, name: str, who: str) -> None:
    cells, _ = snapshot(ws, name)
    if cells.empty:
        return
    clinic = st.selectbox("Clinic", cells["id"].tolist(), key="w.curate.history_clinic")
    log = ws.history(name, clinic)
    st.dataframe(log, hide_index=True, width="stretch")
    restorable = log[log["field"] != "*created*"]["id"].tolist()
    if restorable:
        change = st.selectbox("Change to undo", restorable, key="w.curate.restore_id",
                              format_func=lambda i: f"#{i}")  # fmt: skip
        if st.button("Restore the value before this change", key="w.curate.restore"):
            try:
                ws.restore(name, int(change), who)
            except (Conflict, WorkspaceError) as exc:
                st.error(str(exc))
                return
            snapshot(ws, name, refresh=True)
            finish(f"Restored (change #{change} undone as a new change).")


def publish_tab(ws: Workspace, name: str) -> None:
    stamp = dt.date.today().isoformat()
    st.write("Download the list in the directory format, ready to share or load in the app.")
    path, schema = ws.path, ws.schema

    # Built only when clicked (the workspace of this run is closed by then): a large list is
    # not exported on every rerun of the page.
    def as_csv() -> bytes:
        with Workspace.open(path, schema) as store:
            return store.export_csv(name)

    def as_json() -> bytes:
        with Workspace.open(path, schema) as store:
            return json_bytes(store.load(name)[0].table.reindex(columns=list(schema.names)))

    st.download_button("Download CSV", as_csv, file_name=f"{name}-{stamp}.csv",
                       mime="text/csv", key="w.curate.csv")  # fmt: skip
    st.download_button("Download JSON", as_json, file_name=f"{name}-{stamp}.json",
                       mime="application/json", key="w.curate.json")  # fmt: skip


def render() -> None:
    st.title("Curate provider lists")
    st.caption("For advocates: build lists, check clinics against the checklist, publish.")
    # The last action's result stays until the next action: the table may rerun the page once
    # more after a save, and the message must survive that.
    if flash := st.session_state.get("curate.flash"):
        st.success(flash)
    ws = open_workspace()
    if ws is None:
        return
    with ws:
        lists = ws.lists()
        left, right = st.columns([2, 1])
        new = right.text_input("New list name", key="w.curate.new")
        if right.button("Create list", key="w.curate.create") and new.strip():
            try:
                ws.create_list(new, st.session_state.get("w.curate.who") or "advocate")
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.session_state["w.curate.list"] = new.strip()
                lists = ws.lists()
        if not lists:
            left.info("Create a list to start.")
            return
        name = left.selectbox("List", lists, key="w.curate.list")
        who = st.text_input("Your name, for the change log", value="advocate", key="w.curate.who")
        clinics, imports, checks, places, history, publish = st.tabs(
            ["Clinics", "Import", "Check NPIs", "Coordinates", "History", "Publish"]
        )
        with clinics:
            clinics_tab(ws, name, who)
        with imports:
            import_tab(ws, name, who)
        with checks:
            verify_npis(ws, name, who)
        with places:
            locate_tab(ws, name, who)
        with history:
            history_tab(ws, name, who)
        with publish:
            publish_tab(ws, name)


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
