"""Calibration as pure functions: inspectors' fail shares and teams' spread."""

from __future__ import annotations

from decimal import Decimal

from appraisal.scoring.calibration import InspectorTally, calibrate, team_spread


def tally(name: str, passed: int, failed: int) -> InspectorTally:
    return InspectorTally(inspector_id=hash(name) % 1000, inspector=name, inspections=5,
                          employees=3, passed=passed, failed=failed)


def test_inspectors_far_from_everyone_are_flagged() -> None:
    out = calibrate([tally("strict", 60, 40), tally("usual", 170, 30), tally("soft", 100, 0),
                     tally("few", 5, 5)])
    # Everyone: 75 failed of 410 judged.
    assert (out["items_judged"], out["failed"], out["fail_rate"]) == (410, 75, "0.183")
    by = {i["inspector"]: i for i in out["inspectors"]}
    assert by["strict"]["fail_rate"] == "0.400" and by["strict"]["flag"] == "stricter"
    assert Decimal(by["strict"]["z"]) > 2
    assert by["soft"]["flag"] == "more_lenient" and Decimal(by["soft"]["z"]) < -2
    assert by["usual"]["flag"] is None and abs(Decimal(by["usual"]["z"])) < 2
    # Half failed, but ten items tell too little to flag.
    assert by["few"]["fail_rate"] == "0.500" and by["few"]["flag"] is None
    assert [i["inspector"] for i in out["inspectors"]] == ["usual", "soft", "strict", "few"]


def test_no_judged_items_give_no_rates() -> None:
    out = calibrate([tally("idle", 0, 0)])
    assert out["fail_rate"] is None and out["inspectors"][0]["fail_rate"] is None
    assert out["inspectors"][0]["flag"] is None
    everyone_passes = calibrate([tally("a", 50, 0), tally("b", 40, 0)])
    assert everyone_passes["fail_rate"] == "0.000"
    assert {i["z"] for i in everyone_passes["inspectors"]} == {None}  # no spread to measure


def test_teams_ranked_by_their_graded_average() -> None:
    rows = [
        {"team_id": 1, "team": "前台", "final_score": "90.00", "grade": "excellent",
         "status": "graded", "veto": False},
        {"team_id": 1, "team": "前台", "final_score": "80.005", "grade": "good",
         "status": "graded", "veto": False},
        {"team_id": 1, "team": "前台", "final_score": None, "grade": None,
         "status": "insufficient_evidence", "veto": False},
        {"team_id": 2, "team": "客服", "final_score": "88.00", "grade": "good",
         "status": "graded", "veto": True},
        {"team_id": 3, "team": "保安", "final_score": None, "grade": None,
         "status": "insufficient_evidence", "veto": False},
    ]
    out = team_spread(rows)
    assert [t["team"] for t in out] == ["客服", "前台", "保安"]
    front = out[1]
    assert (front["employees"], front["graded"], front["average_score"]) == (3, 2, "85.00")
    assert front["grades"] == {"excellent": 1, "good": 1}
    assert out[0]["vetoes"] == 1 and out[2]["average_score"] is None
