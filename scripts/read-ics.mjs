// Reads an iCalendar file the way Thunderbird does (Mozilla's ical.js) and prints what a calendar would show,
// as JSON: `node scripts/read-ics.mjs < invite.ics`. The tests run every file Sidebar produces through it.
//
// Stricter than a calendar on purpose: a value ical.js cannot read, a TZID without its VTIMEZONE (ical.js
// would quietly read the time as floating) or an event before its VTIMEZONE's first observance (ical.js would
// read it as UTC) is an error, printed on stderr with exit status 1.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function fail(message) {
  process.stderr.write(`read-ics: ${message}\n`);
  process.exit(1);
}

function durationSeconds(calendar, name) {
  const property = calendar.getFirstProperty(name);
  if (!property) return null;
  // ical.js knows no type for X-PUBLISHED-TTL and reads it as text: a duration it must be all the same.
  const value = property.getFirstValue();
  try {
    return (value instanceof ICAL.Duration ? value : ICAL.Duration.fromString(String(value))).toSeconds();
  } catch (error) {
    fail(`${name.toUpperCase()} is not a duration: ${property.toICALString()} (${error.message})`);
  }
}

function address(property) {
  return {
    address: String(property.getFirstValue()),
    cn: property.getParameter("cn") ?? null,
    role: property.getParameter("role") ?? null,
    partstat: property.getParameter("partstat") ?? null,
  };
}

// The first local time each VTIMEZONE has an offset for: before it, ical.js reads every time as UTC.
function coverageStart(zone) {
  const starts = zone.getAllSubcomponents().map((part) => part.getFirstPropertyValue("dtstart"));
  return starts.reduce((earliest, start) => (earliest === null || start.compare(earliest) < 0 ? start : earliest), null);
}

// `tzid` is the property's TZID parameter: null for a time written in UTC (…Z).
function instant(time, property, name, zones) {
  const tzid = property?.getParameter("tzid") ?? null;
  if (time.zone === ICAL.Timezone.localTimezone && !time.isDate) {
    fail(`${name} is a floating time (its TZID has no VTIMEZONE in the file)`);
  }
  const zone = zones.get(time.zone?.tzid);
  if (zone) {
    const start = coverageStart(zone);
    if (start && time.compare(start) < 0) fail(`${name} ${time} is before ${zone.getFirstPropertyValue("tzid")}'s VTIMEZONE begins (${start})`);
  }
  return {
    utc: time.toJSDate().toISOString().replace(".000Z", "Z"),
    local: time.toString(),
    tzid,
  };
}

let calendar;
try {
  calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
} catch (error) {
  fail(`ical.js cannot parse the file: ${error.message}`);
}
if (calendar.name !== "vcalendar") fail(`the file is a ${calendar.name}, not a VCALENDAR`);

// ical.js reads a value when it is first asked for: ask for every one, as a calendar showing the file would.
function readEveryValue(component) {
  for (const property of component.getAllProperties()) {
    try {
      property.getValues();
    } catch (error) {
      fail(`${component.name.toUpperCase()} has a value ical.js cannot read: ${property.toICALString()} (${error.message})`);
    }
  }
  component.getAllSubcomponents().forEach(readEveryValue);
}
readEveryValue(calendar);

const zones = new Map();
for (const component of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(component);
  ICAL.TimezoneService.register(zone);
  zones.set(zone.tzid, component);
}

const events = [];
try {
  for (const component of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    const uid = event.uid ?? "(no UID)";
    events.push({
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      location: event.location,
      url: component.getFirstPropertyValue("url"),
      status: component.getFirstPropertyValue("status"),
      sequence: event.sequence,
      start: instant(event.startDate, component.getFirstProperty("dtstart"), `DTSTART of ${uid}`, zones),
      end: instant(event.endDate, component.getFirstProperty("dtend"), `DTEND of ${uid}`, zones),
      organizer: component.getFirstProperty("organizer") ? address(component.getFirstProperty("organizer")) : null,
      attendees: component.getAllProperties("attendee").map(address),
    });
  }
} catch (error) {
  fail(`ical.js cannot read an event: ${error.message}`);
}

process.stdout.write(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    version: calendar.getFirstPropertyValue("version"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    timezone: calendar.getFirstPropertyValue("x-wr-timezone"),
    refresh_interval_seconds: durationSeconds(calendar, "refresh-interval"),
    published_ttl_seconds: durationSeconds(calendar, "x-published-ttl"),
    timezones: [...zones.keys()],
    events,
  }),
);
