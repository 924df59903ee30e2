// Drive HighLevel's official npm SDK (@gohighlevel/api-client, as shipped) against a sandbox, with its
// apiVersion set to the v2 dates GHL documents per API. Run by integration_tests/sandbox/test_sandbox_sdk.py
// with NODE_PATH at the SDK's own node_modules. Argument: JSON {base_url, pit, location_id, client_id,
// client_secret, refresh_token}. Prints one JSON object of what the SDK got back.
const { HighLevel } = require('@gohighlevel/api-client');

async function main(cfg) {
  HighLevel.BASE_URL = cfg.base_url; // the only change: where the SDK sends its requests
  const ghl = new HighLevel({ privateIntegrationToken: cfg.pit, apiVersion: '2021-07-28' });
  const out = {};
  const loc = cfg.location_id;
  const created = await ghl.contacts.createContact({ locationId: loc, firstName: 'Npm', lastName: 'Person',
    email: 'npm.person@example.com', tags: ['npm'] });
  const cid = created.contact.id;
  out.created = created;
  out.updated = await ghl.contacts.updateContact({ contactId: cid }, { city: 'Bergen' });
  out.got = await ghl.contacts.getContact({ contactId: cid });
  const task = await ghl.contacts.createTask({ contactId: cid }, { title: 'Call', dueDate: '2026-12-01T10:00:00Z',
    completed: false });
  out.task = task;
  out.task_updated = await ghl.contacts.updateTask({ contactId: cid, taskId: task.task.id }, { completed: true });
  out.tasks = await ghl.contacts.getAllTasks({ contactId: cid });
  const note = await ghl.contacts.createNote({ contactId: cid }, { body: 'from the npm SDK' });
  out.note = note;
  out.notes = await ghl.contacts.getAllNotes({ contactId: cid });
  ghl.setApiVersion('2021-04-15'); // GHL's calendars API version (BEHAVIOUR §1)
  const cal = (await ghl.calendars.getCalendars({ locationId: loc })).calendars[0];
  const appt = await ghl.calendars.createAppointment({ calendarId: cal.id, locationId: loc, contactId: cid,
    assignedUserId: cal.teamMembers[0].userId, startTime: '2026-12-01T10:00:00+01:00',
    endTime: '2026-12-01T10:30:00+01:00', title: 'npm meeting' });
  out.appointment = appt;
  out.appointment_edited = await ghl.calendars.editAppointment({ eventId: appt.id }, { title: 'npm meeting 2' });
  out.appointment_got = await ghl.calendars.getAppointment({ eventId: appt.id });
  ghl.setApiVersion('2021-07-28');
  out.appointments = await ghl.contacts.getAppointmentsForContact({ contactId: cid });
  const first = await ghl.oauth.refreshToken(cfg.refresh_token, cfg.client_id, cfg.client_secret,
    'refresh_token', 'Location');
  out.refreshed = first;
  out.refreshed_again = await ghl.oauth.refreshToken(first.refresh_token, cfg.client_id, cfg.client_secret,
    'refresh_token', 'Location');
  out.deleted = await ghl.contacts.deleteContact({ contactId: cid });
  return out;
}

main(JSON.parse(process.argv[2])).then(
  (out) => { process.stdout.write(JSON.stringify(out)); },
  (err) => {
    const r = err && (err.response || {});
    process.stderr.write(String(err && err.stack) + '\n' + JSON.stringify(r.data || err.data || null) + '\n');
    process.exit(1);
  });
