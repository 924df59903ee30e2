"""Deterministic seed data: locations, users, businesses, custom fields, calendars, contacts and their
tasks, notes and appointments. Everything comes from `random.Random` seeded with `--seed`, so the same seed
gives byte-identical data. No network, no Faker.

Seeded timestamps are spread over the two years before SEED_ANCHOR (fixed, so the data does not depend on
the clock); anything written at run time gets the real current time, so it is always newer than the seed.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import random

import orjson

from .store import Store
from .util import ALNUM, iso_ms, new_id, object_id, space_time

SEED_ANCHOR_MS = int(_dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc).timestamp() * 1000)
TWO_YEARS_MS = 730 * 86_400_000
DAY = 86_400_000

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
         "Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra "
         "Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin "
         "Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey "
         "Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda "
         "Larry Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory "
         "Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen "
         "Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan Joyce Henry Lauren Zachary Kelly Douglas "
         "Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn Walter Hannah Christian Andrea "
         "Keith Megan Roger Cheryl Terry Jacqueline Austin Madison Sean Teresa Gerald Abigail Carl Sophia Harold "
         "Martha Dylan Sara Arthur Gloria Lawrence Janice Jordan Kathryn Jesse Ann Bryan Isabella Billy Judy "
         "Bruce Charlotte Gabriel Julia Joe Grace Logan Amber Alan Alice Juan Jean Albert Denise Willie Frances "
         "Elijah Danielle Wayne Marilyn Randy Natalie Vincent Diana Mason Beverly Roy Brittany Ralph Theresa "
         "Bobby Kayla Russell Alexis Bradley Doris Philip Lori Eugene Tiffany Priya Wei Hiroshi Aisha Mateo "
         "Sofia Liam Chloe Omar Fatima Lucas Mia Ahmed Yuki Carlos Ana Raj Mei Diego Elena Ivan Olga").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
        "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
        "Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards "
        "Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey "
        "Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza "
        "Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry "
        "Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan "
        "Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
        "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald "
        "Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson "
        "Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner "
        "Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson "
        "Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce "
        "O'Brien Müller Dubois Rossi Novak Kowalski Yamamoto Singh Khan Ivanova Larsen Costa").split()
DOMAINS = ("gmail.com yahoo.com outlook.com hotmail.com icloud.com aol.com protonmail.com example.com "
           "mail.com fastmail.com").split()
COMPANY_A = ("Acme Apex Summit Blue Red Green Silver Golden Pioneer Atlas Nova Bright Evergreen Cedar Harbor "
             "Lakeside Northern Pacific Coastal Prairie Urban Metro Granite Crystal Maple Oak Pine River").split()
COMPANY_B = ("Dental Roofing Plumbing Realty Fitness Legal Marketing Consulting Auto Solar HVAC Landscaping "
             "Insurance Bakery Salon Spa Clinic Construction Logistics Media Labs Studios Chiropractic "
             "Veterinary Accounting Cleaning Electric Pest Control").split()
COMPANY_C = ("LLC", "Inc.", "Co.", "Group", "Partners", "Services", "Solutions", "Ltd.", "& Sons", "Corp.")
TAGS = ("lead customer vip newsletter webinar referral facebook-ad google-ad cold warm hot follow-up "
        "no-show trial churned upsell event-2025 event-2026 partner wholesale local").split()
SOURCES = ("public api", "Facebook Form", "Website Form", "manual", "CSV import", "Google Ads", "Zapier",
           "Calendar booking", "chat widget", "referral")
CITIES = (("Austin", "TX", "787"), ("Dallas", "TX", "752"), ("Houston", "TX", "770"), ("Denver", "CO", "802"),
          ("Phoenix", "AZ", "850"), ("Seattle", "WA", "981"), ("Portland", "OR", "972"), ("Miami", "FL", "331"),
          ("Tampa", "FL", "336"), ("Orlando", "FL", "328"), ("Atlanta", "GA", "303"), ("Chicago", "IL", "606"),
          ("Boston", "MA", "021"), ("New York", "NY", "100"), ("Brooklyn", "NY", "112"),
          ("San Diego", "CA", "921"), ("Los Angeles", "CA", "900"), ("San Jose", "CA", "951"),
          ("Nashville", "TN", "372"), ("Charlotte", "NC", "282"), ("Columbus", "OH", "432"),
          ("Minneapolis", "MN", "554"), ("Salt Lake City", "UT", "841"), ("Las Vegas", "NV", "891"),
          ("Dolomite", "AL", "350"))
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "1st St N", "Elm St", "Washington Ave",
           "Lakeview Rd", "Sunset Blvd", "Highland Ave", "River Rd", "Church St", "Mill Rd", "Hillcrest Dr")
TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
             "America/Chihuahua")
TASK_TITLES = ("Call back", "Send proposal", "Follow up on quote", "Schedule demo", "Collect payment",
               "Send contract", "Check in after appointment", "Ask for review", "Confirm booking",
               "Update billing details", "Send onboarding pack", "Renewal reminder", "First Task")
NOTE_BODIES = ("Left a voicemail.", "Interested in the premium package, wants pricing by Friday.",
               "Asked to be contacted after the holidays.", "Booked a consultation.",
               "Referred by an existing customer.", "Not interested at the moment.",
               "Requested a callback in the afternoon.", "Paid the deposit.", "Complained about response time.",
               "Wants to bring a partner to the next meeting.", "Sent follow-up email with brochure.",
               "Discussed renewal terms; positive.", "Prefers SMS over email.", "lorem ipsum",
               "Met at the trade show. Follow up next week about the bulk order.")
NOTE_COLORS = ("#FFAA00", "#22AA55", "#3366FF", "#CC3344")
APPT_TITLES = ("Consultation", "Discovery call", "Follow-up visit", "Demo", "Onboarding session", "Review")
USER_FIRST = ("Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery")
USER_LAST = ("Reed", "Blake", "Quinn", "Parker", "Hayes", "Ellis", "Grey", "Lane")
LOCATION_NAMES = ("Sunrise Dental Studio", "Peak Performance Gym", "Harbor Realty Group", "Evergreen Roofing",
                  "Bright Smile Orthodontics", "Metro Legal Partners", "Cedar Spa & Wellness", "Atlas HVAC")

# The contact custom fields every location gets (fieldKey, name, dataType, options).
CUSTOM_FIELDS = (
    ("lead_score", "Lead Score", "NUMERICAL", None),
    ("favorite_color", "Favorite Color", "SINGLE_OPTIONS", ["Red", "Green", "Blue", "Black"]),
    ("interests", "Interests", "MULTIPLE_OPTIONS", ["Pricing", "Support", "Training", "Partnership"]),
    ("referral_code", "Referral Code", "TEXT", None),
    ("contract_value", "Contract Value", "MONETORY", None),
    ("renewal_date", "Renewal Date", "DATE", None),
    ("about", "About", "LARGE_TEXT", None),
    ("newsletter_opt_in", "Newsletter Opt-in", "CHECKBOX", ["Yes"]),
)


def rid(rng: random.Random) -> str:
    return new_id(rng)


def skewed(rng: random.Random, p_zero: float, small_max: int, heavy_p: float, heavy_max: int) -> int:
    """Many records have none, most of the rest a few, a few have dozens."""
    u = rng.random()
    if u < p_zero:
        return 0
    if u < 1.0 - heavy_p:
        return rng.randint(1, small_max)
    return rng.randint(small_max + 1, heavy_max)


class LocationSeed:
    """Reference data of one location, kept for generating records later (mutations, new contacts)."""

    def __init__(self, location_id: str, users: list[dict], businesses: list[tuple[str, str]],
                 custom_fields: list[dict], calendars: list[dict]):
        self.location_id = location_id
        self.users = users
        self.user_ids = [u["id"] for u in users]
        self.businesses = businesses
        self.custom_fields = custom_fields
        self.calendars = calendars


def custom_value(rng: random.Random, data_type: str, options, at_ms: int):
    if data_type == "NUMERICAL":
        return rng.randint(0, 100)
    if data_type == "MONETORY":
        return round(rng.uniform(100, 50_000), 2)
    if data_type == "SINGLE_OPTIONS":
        return rng.choice(options)
    if data_type in ("MULTIPLE_OPTIONS", "CHECKBOX"):
        return rng.sample(options, rng.randint(1, len(options)))
    if data_type == "DATE":
        return iso_ms(at_ms + rng.randint(30, 400) * DAY)[:10]
    if data_type == "LARGE_TEXT":
        return " ".join(rng.sample(NOTE_BODIES, 2))
    return "REF-" + "".join(rng.choices(ALNUM[26:], k=6))


class ContactFactory:
    """Makes realistic contacts and children for one location."""

    def __init__(self, rng: random.Random, loc: LocationSeed):
        self.rng = rng
        self.loc = loc
        self.emails: set[str] = set()
        self.phones: set[str] = set()

    def contact(self, date_added: int, date_updated: int) -> dict:
        rng = self.rng
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        c: dict = {"id": rid(rng), "locationId": self.loc.location_id}
        has_name = rng.random() < 0.97
        if has_name:
            c["firstName"] = first
            c["lastName"] = last
            c["name"] = f"{first} {last}"
            c["firstNameLowerCase"] = first.lower()
            c["lastNameLowerCase"] = last.lower()
            c["fullNameLowerCase"] = f"{first} {last}".lower()
        if rng.random() < 0.9 or not has_name:
            base = f"{first}.{last}".lower().replace("'", "").replace("ü", "u")
            email = f"{base}@{rng.choice(DOMAINS)}"
            n = 1
            while email in self.emails:
                n += 1
                email = f"{base}{n}@{rng.choice(DOMAINS)}"
            self.emails.add(email)
            c["email"] = email
            c["emailLowerCase"] = email
        city, state, zip3 = rng.choice(CITIES)
        if rng.random() < 0.8:
            while True:
                phone = f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
                if phone not in self.phones:
                    break
            self.phones.add(phone)
            c["phone"] = phone
        if rng.random() < 0.5:
            c["companyName"] = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_C)}"
        c["type"] = "customer" if rng.random() < 0.3 else "lead"
        c["source"] = rng.choice(SOURCES)
        if rng.random() < 0.4:
            c["assignedTo"] = rng.choice(self.loc.user_ids)
        if rng.random() < 0.6:
            c["address1"] = f"{rng.randint(1, 9999)} {rng.choice(STREETS)}"
            c["city"] = city
            c["state"] = state
            c["postalCode"] = f"{zip3}{rng.randint(0, 99):02d}"
        c["country"] = "US" if rng.random() < 0.9 else rng.choice(("CA", "GB", "AU", "DE", "IN", "MX"))
        if rng.random() < 0.2:
            c["website"] = f"https://www.{first.lower()}{last.lower()}.com".replace("'", "")
        c["timezone"] = rng.choice(TIMEZONES)
        dnd = rng.random() < 0.05
        c["dnd"] = dnd
        if dnd or rng.random() < 0.1:
            c["dndSettings"] = {ch: {"status": "active" if dnd else rng.choice(("inactive", "active")),
                                     "message": "", "code": ""} for ch in ("Call", "Email", "SMS")}
        k = skewed(rng, 0.3, 3, 0.05, 7)
        c["tags"] = rng.sample(TAGS, k)
        cfs = []
        for f in self.loc.custom_fields:
            if rng.random() < 0.35:
                cfs.append({"id": f["id"], "value": custom_value(rng, f["dataType"], f.get("picklistOptions"),
                                                                  date_added)})
        c["customFields"] = cfs
        if rng.random() < 0.3:
            c["dateOfBirth"] = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" \
                               "T00:00:00.000Z"
        c["dateAdded"] = iso_ms(date_added)
        c["dateUpdated"] = iso_ms(date_updated)
        if rng.random() < 0.25 and self.loc.businesses:
            c["businessId"] = rng.choice(self.loc.businesses)[0]
        medium = rng.choice(("form", "survey", "calendar", "api", "chat_widget", "facebook"))
        c["attributionSource"] = {"url": rng.choice(("https://example.com/landing", "Trigger Link",
                                                     "https://example.com/contact-us")),
                                  "medium": medium, "sessionSource": rng.choice(("Direct traffic", "Paid Search",
                                                                                 "Social media", "CRM UI"))}
        c["additionalEmails"] = []
        c["followers"] = []
        c["_dateAddedMs"] = date_added
        c["_dateUpdatedMs"] = date_updated
        return c

    def task(self, contact_id: str, date_added: int, now_ms: int) -> tuple[tuple, dict]:
        rng = self.rng
        tid = rid(rng)
        due = date_added + rng.randint(1, 45) * DAY + rng.randint(0, 23) * 3_600_000
        completed = due < now_ms and rng.random() < 0.7
        t = {"id": tid, "title": rng.choice(TASK_TITLES)}
        if rng.random() < 0.7:
            t["body"] = rng.choice(NOTE_BODIES)
        if rng.random() < 0.8:
            t["assignedTo"] = rng.choice(self.loc.user_ids)
        t["dueDate"] = iso_ms(due - due % 60_000)
        t["completed"] = completed
        t["contactId"] = contact_id
        updated = min(max(date_added, due if completed else date_added + rng.randint(0, 5) * DAY), now_ms)
        return (tid, contact_id, self.loc.location_id, date_added, updated, 0, orjson.dumps(t)), t

    def note(self, contact_id: str, date_added: int) -> tuple[tuple, dict]:
        rng = self.rng
        nid = rid(rng)
        n = {"id": nid, "body": rng.choice(NOTE_BODIES)}
        if rng.random() < 0.85:
            n["userId"] = rng.choice(self.loc.user_ids)
        n["dateAdded"] = iso_ms(date_added)
        n["contactId"] = contact_id
        if rng.random() < 0.15:
            n["title"] = rng.choice(("Call summary", "Follow-up summary", "Meeting notes"))
            n["color"] = rng.choice(NOTE_COLORS)
        n["pinned"] = rng.random() < 0.05
        return (nid, contact_id, self.loc.location_id, date_added, orjson.dumps(n)), n

    def appointment(self, contact_id: str, date_added: int, now_ms: int) -> tuple[tuple, dict]:
        rng = self.rng
        aid = rid(rng)
        cal = rng.choice(self.loc.calendars)
        member = rng.choice(cal["teamMembers"])["userId"]
        start = date_added + rng.randint(1, 60) * DAY
        start -= start % 1_800_000
        end = start + rng.choice((30, 45, 60)) * 60_000
        status = rng.choice(("confirmed", "confirmed", "showed", "noshow", "cancelled", "new"))
        updated = min(max(date_added, start if status in ("showed", "noshow") else date_added), now_ms)
        a = {"id": aid, "calendarId": cal["id"], "locationId": self.loc.location_id, "contactId": contact_id,
             "groupId": cal.get("groupId", ""), "title": rng.choice(APPT_TITLES), "status": "booked",
             "appointmentStatus": status, "assignedUserId": member, "users": [member],
             "notes": rng.choice(("", "Bring ID", "Prefers morning slots")), "address": rng.choice(
                 ("Zoom", "Office", "Phone call", "Google Meet")),
             "startTime": space_time(start), "endTime": space_time(end), "dateAdded": iso_ms(date_added),
             "dateUpdated": iso_ms(updated), "assignedResources": []}
        return (aid, contact_id, self.loc.location_id, cal["id"], start, date_added, updated, orjson.dumps(a)), a


def make_location(rng: random.Random, index: int, company_id: str) -> tuple[tuple, LocationSeed, list]:
    loc_id = rid(rng)
    users = []
    for i in range(5):
        f, l_ = USER_FIRST[(index + i) % len(USER_FIRST)], USER_LAST[(index * 3 + i) % len(USER_LAST)]
        users.append({"id": rid(rng), "name": f"{f} {l_}", "firstName": f, "lastName": l_,
                      "email": f"{f.lower()}.{l_.lower()}@agency.example.com"})
    businesses = []
    for _ in range(12):
        businesses.append((object_id(rng), f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} "
                                           f"{rng.choice(COMPANY_C)}"))
    cfs = []
    for pos, (key, name, dt, opts) in enumerate(CUSTOM_FIELDS):
        f = {"id": rid(rng), "name": name, "fieldKey": f"contact.{key}", "placeholder": name,
             "dataType": dt, "position": pos * 50, "picklistOptions": list(opts) if opts else [],
             "picklistImageOptions": [], "isAllowedCustomOption": False, "isMultiFileAllowed": False,
             "maxFileLimit": 0, "locationId": loc_id, "model": "contact"}
        cfs.append(f)
    opp_field = {"id": rid(rng), "name": "Deal Source", "fieldKey": "opportunity.deal_source",
                 "placeholder": "Deal Source", "dataType": "TEXT", "position": 0, "picklistOptions": [],
                 "picklistImageOptions": [], "isAllowedCustomOption": False, "isMultiFileAllowed": False,
                 "maxFileLimit": 0, "locationId": loc_id, "model": "opportunity"}
    group_id = rid(rng)
    calendars = []
    for i, (name, slug) in enumerate((("Consultations", "consultations"), ("Sales Calls", "sales-calls"))):
        members = rng.sample(users, 3)
        calendars.append({
            "id": rid(rng), "locationId": loc_id, "groupId": group_id, "name": name,
            "description": f"{name} calendar", "slug": f"{slug}-{index}", "widgetSlug": f"{slug}-{index}",
            "calendarType": "round_robin" if i == 0 else "event", "widgetType": "classic",
            "eventType": "RoundRobin_OptimizeForAvailability", "eventTitle": "{{contact.name}}",
            "eventColor": "#039be5", "isActive": True,
            "teamMembers": [{"userId": u["id"], "priority": 0.5, "meetingLocationType": "custom",
                             "meetingLocation": "", "isPrimary": j == 0} for j, u in enumerate(members)],
            "slotDuration": 30, "slotDurationUnit": "mins", "slotInterval": 30, "slotIntervalUnit": "mins",
            "slotBuffer": 0, "preBuffer": 0, "appoinmentPerSlot": 1, "appoinmentPerDay": 0,
            "allowBookingAfter": 0, "allowBookingAfterUnit": "days", "allowBookingFor": 30,
            "allowBookingForUnit": "days", "openHours": [], "enableRecurring": False, "autoConfirm": True,
            "allowReschedule": True, "allowCancellation": True, "notes": ""})
    name = LOCATION_NAMES[index % len(LOCATION_NAMES)]
    loc_doc = {"id": loc_id, "name": name, "companyId": company_id, "timezone": "America/Chicago"}
    row = (loc_id, name, company_id, 0, "email_phone", index, orjson.dumps(loc_doc))
    return row, LocationSeed(loc_id, users, businesses, cfs, calendars), [opp_field]


def seed_store(store: Store, seed: int, contacts_per_location: int, locations: int = 1,
               allow_duplicates: bool = False, upsert_match: str = "email_phone") -> list[LocationSeed]:
    """Fill an empty store. Returns the per-location reference data."""
    horizon = SEED_ANCHOR_MS
    now = horizon  # seeded data never depends on the clock
    start = horizon - TWO_YEARS_MS
    base_rng = random.Random(f"ghl-sandbox:{seed}")
    company_id = rid(base_rng)
    out = []
    with store.tx():
        for li in range(locations):
            rng = random.Random(f"ghl-sandbox:{seed}:location:{li}")
            row, loc, extra_fields = make_location(rng, li, company_id)
            row = row[:3] + (1 if allow_duplicates else 0, upsert_match) + row[5:]
            store.insert_locations([row])
            store.insert_users([(u["id"], loc.location_id, orjson.dumps(u)) for u in loc.users])
            store.insert_businesses([(b, loc.location_id, n) for b, n in loc.businesses])
            store.insert_custom_fields([
                (f["id"], loc.location_id, f["fieldKey"], f["model"], f["dataType"], f["position"],
                 orjson.dumps(f)) for f in loc.custom_fields + extra_fields])
            store.insert_calendars([(c["id"], loc.location_id, i, orjson.dumps(c))
                                    for i, c in enumerate(loc.calendars)])
            fac = ContactFactory(rng, loc)
            batch: list[dict] = []
            tasks: list[tuple] = []
            notes: list[tuple] = []
            appts: list[tuple] = []
            for _ in range(contacts_per_location):
                added = start + int(rng.random() ** 0.8 * TWO_YEARS_MS)  # more recent contacts than old ones
                r = rng.random()
                # Spread within what is left before the horizon: clamping instead would stack the newest
                # contacts on one dateUpdated, which no real account has.
                room = max(1, horizon - 1 - added)
                if r < 0.45:
                    updated = added
                elif r < 0.85:
                    updated = added + 1 + int(rng.random() * min(30 * DAY, room))
                else:
                    updated = added + int(rng.random() * room)
                updated = min(updated, horizon - 1)
                c = fac.contact(added, updated)
                batch.append(c)
                cid = c["id"]
                for _ in range(skewed(rng, 0.55, 3, 0.03, 30)):
                    tasks.append(fac.task(cid, added + rng.randint(0, max(1, updated - added)), now)[0])
                for _ in range(skewed(rng, 0.45, 4, 0.04, 60)):
                    notes.append(fac.note(cid, added + rng.randint(0, max(1, horizon - added)))[0])
                for _ in range(skewed(rng, 0.75, 2, 0.01, 12)):
                    appts.append(fac.appointment(cid, added + rng.randint(0, max(1, updated - added)), now)[0])
                if len(batch) >= 5000:
                    store.insert_contacts(batch)
                    batch.clear()
            if batch:
                store.insert_contacts(batch)
            store.insert_tasks(tasks)
            store.insert_notes(notes)
            store.insert_appointments(appts)
            out.append(loc)
    return out


def load_location_seeds(store: Store) -> list[LocationSeed]:
    """Rebuild the per-location reference data from the store (after a restore)."""
    out = []
    for loc_id in store.location_ids():
        users = store.users(loc_id)
        out.append(LocationSeed(loc_id, users, store.businesses(loc_id), store.custom_fields(loc_id, "contact"),
                                store.calendars(loc_id)))
    return out


SEED_FORMAT = 1  # bump when the seeded data changes in a way the source hash below would not catch


def seed_fingerprint(seed: int, contacts_per_location: int, locations: int, allow_duplicates: bool,
                     upsert_match: str) -> str:
    """Identifies a seeded database: the parameters plus the code that generates and stores it."""
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("seed.py", "store.py", "util.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    h.update(f"{SEED_FORMAT}:{seed}:{contacts_per_location}:{locations}:{allow_duplicates}:{upsert_match}".encode())
    return h.hexdigest()[:24]
