from destination_ghl_contacts.custom_values import problem

DEFS = {"f1": {"id": "f1", "fieldKey": "contact.lead_score", "dataType": "NUMERICAL"},
        "f2": {"id": "f2", "fieldKey": "contact.interests", "dataType": "MULTIPLE_OPTIONS",
               "picklistOptions": ["Pricing", "Support"]},
        "f3": {"id": "f3", "fieldKey": "contact.favorite_color", "dataType": "SINGLE_OPTIONS",
               "picklistOptions": ["Red", "Blue"]},
        "f4": {"id": "f4", "fieldKey": "contact.renewal_date", "dataType": "DATE"},
        "f5": {"id": "f5", "fieldKey": "contact.about", "dataType": "LARGE_TEXT"}}
IDS = {k: v for f in DEFS.values() for k, v in ((f["fieldKey"], f["id"]), (f["fieldKey"][8:], f["id"]),
                                                  ("id:" + f["id"], f["id"]))}


def _check(**custom):
    return problem(DEFS, IDS, {"customFields": custom})


def test_values_that_fit_pass():
    assert _check(lead_score=85, interests=["Pricing"], favorite_color="red", renewal_date="2026-12-01",
                  about="hi", unknown_field=[1, 2]) is None
    assert _check(**{"id:f1": "12.5", "contact.renewal_date": "2026-12-01T10:00:00Z", "lead_score": None}) is None


def test_a_value_of_the_wrong_type_is_a_reason_naming_the_field():
    assert _check(lead_score="n/a") == ("customFields.lead_score: 'n/a' does not fit the GHL NUMERICAL field "
                                        "'contact.lead_score' (expected a number)")
    assert "expected a number" in _check(lead_score=True)
    assert "not among its options" in _check(interests=["Pricing", "Golf"])
    assert "expected a list of texts" in _check(interests="Pricing")
    assert "expected one of" in _check(favorite_color="Green")
    assert "expected a date" in _check(renewal_date="next week")
    assert "expected a text" in _check(about={"a": 1})


def test_without_definitions_nothing_is_judged():
    assert problem({}, None, {"customFields": {"lead_score": "n/a"}}) is None
