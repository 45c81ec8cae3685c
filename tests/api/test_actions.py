"""Corrective actions (整改, SPEC §3.5) opened by hand: who may open, mark done and
check one, what each step refuses, and that every step is audited."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import Org, inspection

ACTIONS = "/api/v1/actions"


async def failed_inspection(client: AsyncClient, org: Org, who: str = "sup_a",
                            emp: int | None = None) -> int:
    r = await client.post("/api/v1/inspections", headers=org.h(who),
                          json=inspection(emp or org.emp_a1, fails=("N3", "V1")))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def body(org: Org, insp: int, **over: Any) -> dict[str, Any]:
    return {"inspection_id": insp, "item_code": "N3", "assignee_id": org.emp_a1,
            "due_at": "2026-11-21T18:00:00+08:00", "description": "灯管更换"} | over


async def open_action(client: AsyncClient, org: Org, who: str = "sup_a") -> dict[str, Any]:
    insp = await failed_inspection(client, org)
    r = await client.post(ACTIONS, headers=org.h(who), json=body(org, insp))
    assert r.status_code == 201, r.text
    return r.json()


async def test_an_action_is_opened_done_and_verified(client: AsyncClient, org: Org) -> None:
    action = await open_action(client, org)
    assert action["state"] == "open" and action["overdue"] is False
    assert action["assignee_no"] == "A001" and action["standard_zh"] == "设施完好清洁"
    assert action["due_at"] == "2026-11-21T18:00:00+08:00" and action["automatic"] is False
    url = f"{ACTIONS}/{action['id']}"

    # The assignee reads it and marks it done, with a note.
    r = await client.get(ACTIONS, headers=org.h("emp_a1"))
    assert [a["id"] for a in r.json()] == [action["id"]]
    r = await client.patch(url, headers=org.h("emp_a1"), json={"state": "done"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = await client.patch(url, headers=org.h("emp_a1"),
                           json={"state": "done", "note": "已更换灯管"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "done" and r.json()["done_by"] == "emp_a1"

    # The supervisor checks it: not good enough, open again; done again; passed.
    r = await client.post(f"{url}/verify", headers=org.h("sup_a"),
                          json={"passed": False, "note": "灯罩仍有积灰"})
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert r.json()["check_note"] == "灯罩仍有积灰" and r.json()["verified_at"] is None
    await client.patch(url, headers=org.h("emp_a1"), json={"state": "done", "note": "已清洁"})
    r = await client.post(f"{url}/verify", headers=org.h("hr"), json={"passed": True})
    assert r.status_code == 200 and r.json()["state"] == "verified"
    assert r.json()["verified_at"] is not None and r.json()["checked_by"] == "hr"

    # Verified is final.
    r = await client.patch(url, headers=org.h("sup_a"), json={"description": "x"})
    assert r.status_code == 409 and r.json()["code"] == "action_closed"
    r = await client.get("/api/v1/audit?entity=corrective_action", headers=org.h("hr"))
    assert sorted(e["action"] for e in r.json()) == ["create", "done", "done", "verify", "verify"]


async def test_only_someone_else_checks_the_work(client: AsyncClient, org: Org) -> None:
    action = await open_action(client, org)
    url = f"{ACTIONS}/{action['id']}"
    r = await client.post(f"{url}/verify", headers=org.h("sup_a"), json={"passed": True})
    assert r.status_code == 409 and r.json()["code"] == "action_not_done"
    # The supervisor marks it done for the assignee: then someone else checks it.
    r = await client.patch(url, headers=org.h("sup_a"), json={"state": "done", "note": "已修好"})
    assert r.status_code == 200
    r = await client.post(f"{url}/verify", headers=org.h("sup_a"), json={"passed": True})
    assert r.status_code == 403 and r.json()["code"] == "action_check_by_doer"
    # The assignee may not check their own work (employees may not check at all).
    r = await client.post(f"{url}/verify", headers=org.h("emp_a1"), json={"passed": True})
    assert r.status_code == 403
    r = await client.post(f"{url}/verify", headers=org.h("hr"), json={"passed": True})
    assert r.status_code == 200 and r.json()["state"] == "verified"


async def test_what_an_action_refuses(client: AsyncClient, org: Org) -> None:
    insp = await failed_inspection(client, org)
    h = org.h("sup_a")
    r = await client.post(ACTIONS, headers=h, json=body(org, insp, item_code="H1"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "item_code"
    assert r.json()["errors"][0]["code"] == "action_item_not_failed"
    r = await client.post(ACTIONS, headers=h, json=body(org, insp, due_at="2099-01-01T00:00:00+08:00"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "due_at"
    r = await client.post(ACTIONS, headers=h, json=body(org, insp, due_at="0001-01-01T00:00:00+08:00"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "due_at"
    r = await client.post(ACTIONS, headers=h, json=body(org, insp, assignee_id=org.emp_b1))
    assert r.status_code == 404
    # Another team's inspection does not exist for sup_b; employees open nothing.
    r = await client.post(ACTIONS, headers=org.h("sup_b"), json=body(org, insp, assignee_id=org.emp_b1))
    assert r.status_code == 404
    r = await client.post(ACTIONS, headers=org.h("emp_a1"), json=body(org, insp))
    assert r.status_code == 403
    r = await client.post(ACTIONS, headers=h, json=body(org, insp))
    assert r.status_code == 201
    r = await client.post(ACTIONS, headers=h, json=body(org, insp))
    assert r.status_code == 409 and r.json()["code"] == "action_exists"
    # The assignee may not move the due time.
    action = r.json() if r.status_code == 201 else (await client.get(ACTIONS, headers=h)).json()[0]
    r = await client.patch(f"{ACTIONS}/{action['id']}", headers=org.h("emp_a1"),
                           json={"due_at": "2026-11-30T18:00:00+08:00"})
    assert r.status_code == 403 and r.json()["code"] == "action_assignee_only_done"
    # Nothing refused was written.
    r = await client.get(ACTIONS, headers=org.h("hr"))
    assert len(r.json()) == 1


async def test_actions_are_scoped_and_overdue_ones_come_first(client: AsyncClient, org: Org) -> None:
    a = await open_action(client, org)
    insp = await failed_inspection(client, org)
    r = await client.post(ACTIONS, headers=org.h("sup_a"), json=body(
        org, insp, item_code="V1", due_at="2026-11-20T09:00:00+08:00"))  # before now (15:00)
    late = r.json()
    assert late["overdue"] is True
    r = await client.get(ACTIONS, headers=org.h("sup_a"))
    assert [x["id"] for x in r.json()] == [late["id"], a["id"]]
    r = await client.get(f"{ACTIONS}?state=overdue", headers=org.h("hr"))
    assert [x["id"] for x in r.json()] == [late["id"]]
    assert (await client.get(ACTIONS, headers=org.h("sup_b"))).json() == []
    assert (await client.get(ACTIONS, headers=org.h("emp_b1"))).json() == []
    r = await client.get(f"{ACTIONS}/{a['id']}", headers=org.h("emp_b1"))
    assert r.status_code == 404


async def test_voiding_the_inspection_cancels_its_actions(client: AsyncClient, org: Org) -> None:
    a = await open_action(client, org)
    r = await client.delete(f"/api/v1/inspections/{a['inspection_id']}?reason=录错了",
                            headers=org.h("sup_a"))
    assert r.status_code == 204
    r = await client.get(f"{ACTIONS}/{a['id']}", headers=org.h("sup_a"))
    assert r.json()["state"] == "cancelled"


async def test_correcting_the_failure_away_cancels_the_action(client: AsyncClient, org: Org) -> None:
    a = await open_action(client, org)
    r = await client.patch(f"/api/v1/inspections/{a['inspection_id']}", headers=org.h("sup_a"),
                           json={"items": [{"code": "N3", "result": "pass"}]})
    assert r.status_code == 200, r.text
    r = await client.get(f"{ACTIONS}/{a['id']}", headers=org.h("sup_a"))
    assert r.json()["state"] == "cancelled"


async def test_a_retried_action_is_opened_once(client: AsyncClient, org: Org) -> None:
    insp = await failed_inspection(client, org)
    h = {**org.h("sup_a"), "Idempotency-Key": "act-1"}
    first = await client.post(ACTIONS, headers=h, json=body(org, insp))
    again = await client.post(ACTIONS, headers=h, json=body(org, insp))
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]


def picture() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 160, 60)).save(out, "JPEG")
    return out.getvalue()


async def test_the_fix_is_photographed_when_the_action_is_done(client: AsyncClient, org: Org,
                                                               setting: Any, tmp_path: Any) -> None:
    """SPEC §3.5: the assignee marks it done with a note and a photo; the photo shows the
    item put right, so it is the action's, not one more photo of what failed."""
    from tests.factories import form_of, log_in

    setting("APPRAISAL_MEDIA_DIR", str(tmp_path))
    action = await open_action(client, org)
    url = f"{ACTIONS}/{action['id']}"
    # Someone outside the assignee's teams does not find it.
    r = await client.post(f"{url}/photos", headers=org.h("sup_b"),
                          files={"file": ("fix.jpg", picture(), "image/jpeg")})
    assert r.status_code == 404
    r = await client.post(f"{url}/photos", headers=org.h("emp_a1"),
                          files={"file": ("fix.txt", b"not a picture", "image/jpeg")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = await client.post(f"{url}/photos", headers=org.h("emp_a1"),
                          files={"file": ("fix.jpg", picture(), "image/jpeg")})
    assert r.status_code == 201, r.text
    photo = r.json()["id"]
    assert (await client.get(url, headers=org.h("sup_a"))).json()["photos"] == [photo]
    r = await client.get(f"/api/v1/inspections/{action['inspection_id']}", headers=org.h("hr"))
    assert photo not in [p["id"] for p in r.json()["photos"]]  # not a photo of the failure
    assert (await client.get(f"/api/v1/photos/{photo}?size=thumb", headers=org.h("emp_a1"))
            ).status_code == 200

    # From the employee's page: done with a note and a photo in one form.
    second = await open_action(client, org)
    await log_in(client, "emp_a1")
    page = (await client.get("/me")).text
    done = {k: v for k, v in form_of(page, f"/actions/{second['id']}/done").items()
            if k != "photo"}  # a browser sends the file as a file part only
    r = await client.post(f"/actions/{second['id']}/done", data={**done, "note": "已擦净"},
                          files={"photo": ("fix.jpg", picture(), "image/jpeg")})
    assert r.status_code == 303, r.text
    shown = (await client.get(f"{ACTIONS}/{second['id']}", headers=org.h("hr"))).json()
    assert shown["state"] == "done" and len(shown["photos"]) == 1
    # Verified, nothing more is added.
    await client.post(f"{ACTIONS}/{second['id']}/verify", headers=org.h("hr"), json={"passed": True})
    r = await client.post(f"{ACTIONS}/{second['id']}/photos", headers=org.h("sup_a"),
                          files={"file": ("fix.jpg", picture(), "image/jpeg")})
    assert r.status_code == 409
