"""A value that two schema keywords refuse (an email: `pattern` and `format`) gets one reason, not two."""
from destination_ghl_contacts.validation import problem

CONTACT = {"rankrId": "rk_c_000001", "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}


def test_a_malformed_email_is_one_reason():
    assert problem("contacts", {**CONTACT, "email": "not-an-email"}) == "email: 'not-an-email' is not a valid email"


def test_other_problems_keep_their_own_reasons():
    reason = problem("contacts", {**CONTACT, "email": "not-an-email", "lastName": ""})
    assert reason.split("; ") == ["email: 'not-an-email' is not a valid email", "lastName: is empty"]


def test_a_pattern_alone_still_explains_itself():
    assert problem("contacts", {**CONTACT, "phone": "call me"}) == "phone: 'call me' has an invalid format"
