from destination_ghl_contacts.rejected_store import RejectedStore, build, field_of


class Recorder:
    def __init__(self):
        self.puts = []

    def put_object(self, **kwargs):
        self.puts.append(kwargs)


def test_the_field_is_the_one_the_reason_names_first():
    assert field_of("email: 'x' is not a valid email") == "email"
    assert field_of("customFields.id:AbC: must be of type number") == "customFields.id:AbC"
    assert field_of("GHL refused it (HTTP 422): phone must be valid") is None


def test_objects_follow_the_path_format_and_a_flush_writes_each_stream_once(monkeypatch):
    monkeypatch.setenv("WORKER_JOB_ID", "4711")
    client = Recorder()
    store = RejectedStore({"s3_bucket_name": "b", "bucket_path": "/ghl/rejected/", "path_format":
                           "${JOB_ID}/${STREAM_NAME}/${YEAR}-${MONTH}-${DAY}_${PART}.jsonl"}, client=client)
    store.add("contacts", "rk_c_1", "email: 'x' is not a valid email")
    store.add("contacts", "rk_c_2", "lastName: is required")
    store.add("my stream", "7", "status: 'done' is not one of open, completed")
    store.flush()
    store.flush()  # nothing new: nothing written
    keys = sorted(put["Key"] for put in client.puts)
    day = store.started.strftime("%Y-%m-%d")
    assert keys == [f"ghl/rejected/4711/contacts/{day}_1.jsonl", f"ghl/rejected/4711/my_stream/{day}_1.jsonl"]
    contacts = next(p for p in client.puts if "/contacts/" in p["Key"])["Body"].decode().splitlines()
    assert len(contacts) == 2 and '"field":"email"' in contacts[0]


def test_no_storage_without_s3():
    assert build({}) is None and build({"object_storage_config": {"storage_type": "None"}}) is None
