// Parse an .ics file with ical.js and node-ical (independent JavaScript parsers used by calendar
// apps and web sites) and print what each understood as JSON: {"icaljs": [...], "nodeical": [...]}.
// Usage: node tests/calendar/parse_ics.mjs FILE.ics  (run from the project root: node_modules there)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.cwd() + "/package.json");
const ICAL = require("ical.js");
const nodeIcal = require("node-ical");

const text = readFileSync(process.argv[2], "utf8");

function fromIcalJs(source) {
  const root = new ICAL.Component(ICAL.parse(source));
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
  return root.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    const start = component.getFirstPropertyValue("dtstart");
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      location: event.location,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      tzid: start.zone ? start.zone.tzid : null,
      sequence: event.sequence,
      status: component.getFirstPropertyValue("status"),
      alarms: component.getAllSubcomponents("valarm").length,
    };
  });
}

function fromNodeIcal(source) {
  const parsed = nodeIcal.sync.parseICS(source);
  return Object.values(parsed)
    .filter((entry) => entry.type === "VEVENT")
    .map((entry) => ({
      uid: entry.uid,
      summary: typeof entry.summary === "object" ? entry.summary.val : entry.summary,
      location: typeof entry.location === "object" ? entry.location.val : entry.location,
      start: entry.start.toISOString(),
      end: entry.end.toISOString(),
      tzid: entry.start.tz || null,
      sequence: Number(entry.sequence),
      status: entry.status,
    }));
}

process.stdout.write(JSON.stringify({ icaljs: fromIcalJs(text), nodeical: fromNodeIcal(text) }));
