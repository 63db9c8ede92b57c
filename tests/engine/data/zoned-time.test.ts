import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ZonedTime } from '../../../engine/data/zoned-time.ts';
import { utc } from '../../kit/data-builders.ts';

const zurich = new ZonedTime('Europe/Zurich');

test('winter and summer times in Zurich map to UTC+1 and UTC+2', () => {
  assert.equal(zurich.toUtc(utc('1996-01-15T12:00:00')), { utc: utc('1996-01-15T11:00:00'), kind: 'unique' });
  assert.equal(zurich.toUtc(utc('1996-04-01T00:00:00')), { utc: utc('1996-03-31T22:00:00'), kind: 'unique' });
});

test('a time in the spring-forward gap is shifted forward by the gap (02:30 -> 03:30 CEST = 01:30Z)', () => {
  // 1997-03-30: Zurich clocks jump from 02:00 CET to 03:00 CEST (01:00Z).
  assert.equal(zurich.toUtc(utc('1997-03-30T02:30:00')), { utc: utc('1997-03-30T01:30:00'), kind: 'gap' });
  assert.equal(zurich.toUtc(utc('1997-03-30T01:59:00')).utc, utc('1997-03-30T00:59:00'));
  assert.equal(zurich.toUtc(utc('1997-03-30T03:00:00')).utc, utc('1997-03-30T01:00:00'));
});

test('a time in the autumn overlap takes the first occurrence and offers the second', () => {
  // 1996-10-27: Zurich clocks fall back from 03:00 CEST to 02:00 CET (01:00Z); 02:30 happens twice.
  assert.equal(zurich.toUtc(utc('1996-10-27T02:30:00')), { utc: utc('1996-10-27T00:30:00'), kind: 'ambiguous', later: utc('1996-10-27T01:30:00') });
  assert.equal(zurich.toUtc(utc('1996-10-27T03:00:00')).utc, utc('1996-10-27T02:00:00'));
});

test('other zones, including the southern hemisphere, follow their own rules', () => {
  const ny = new ZonedTime('America/New_York');
  assert.is(ny.toUtc(utc('2024-03-10T02:30:00')).kind, 'gap');
  assert.is(ny.toUtc(utc('2024-07-01T12:00:00')).utc, utc('2024-07-01T16:00:00'));
  const sydney = new ZonedTime('Australia/Sydney');
  assert.is(sydney.toUtc(utc('2024-01-15T10:00:00')).utc, utc('2024-01-14T23:00:00')); // AEDT, UTC+11
  assert.is(sydney.toUtc(utc('2024-07-15T10:00:00')).utc, utc('2024-07-15T00:00:00')); // AEST, UTC+10
});

test('an unknown zone is a clear error', () => {
  assert.throws(() => new ZonedTime('Mars/Olympus'), /unknown time zone "Mars\/Olympus"/);
});

test('toWall on a day with a clock change gives each instant\'s own wall time (the change found once, not asked of Intl per time)', () => {
  const days: [string, number][] = [
    ['Europe/Athens', Date.UTC(2024, 2, 31)], ['Europe/Athens', Date.UTC(2024, 9, 27)],
    ['America/New_York', Date.UTC(2024, 2, 10)], ['America/New_York', Date.UTC(2024, 10, 3)],
    ['Australia/Lord_Howe', Date.UTC(2024, 3, 6)], ['Europe/Zurich', Date.UTC(1996, 2, 31)],
  ];
  for (const [zone, day] of days) {
    const z = new ZonedTime(zone);
    const fresh = new ZonedTime(zone);
    assert.ok(fresh.offsetAt(day) !== fresh.offsetAt(day + 86_400_000 - 1000), `${zone} changes its clock on ${new Date(day).toISOString().slice(0, 10)}`);
    for (let t = day; t < day + 86_400_000; t += 7 * 60_000 + 13_000) {
      assert.is(z.toWall(t), t + fresh.offsetAt(t), `${zone} at ${new Date(t).toISOString()}`);
    }
  }
});

test('toUtc on a day with a clock change resolves each wall time as the zone\'s own offsets do: unique, the gap, both overlap instants', () => {
  // The reference asks Intl for each wall time: read it with the offset before and after the
  // change, and keep each reading whose instant has that offset.
  const reference = (z: ZonedTime, wall: number) => {
    const day = Math.floor(wall / 86_400_000) * 86_400_000;
    const before = z.offsetAt(day - 16 * 3_600_000), after = z.offsetAt(day + 40 * 3_600_000);
    const a = wall - before, b = wall - after;
    const aValid = z.offsetAt(a) === before, bValid = z.offsetAt(b) === after;
    if (aValid && bValid) return a === b ? { utc: a, kind: 'unique' } : { utc: Math.min(a, b), kind: 'ambiguous', later: Math.max(a, b) };
    if (aValid) return { utc: a, kind: 'unique' };
    if (bValid) return { utc: b, kind: 'unique' };
    return { utc: a, kind: 'gap' };
  };
  const days: [string, number][] = [
    ['Europe/Athens', Date.UTC(2024, 2, 31)], ['Europe/Athens', Date.UTC(2024, 9, 27)],
    ['America/New_York', Date.UTC(2024, 2, 10)], ['America/New_York', Date.UTC(2024, 10, 3)],
    ['Australia/Lord_Howe', Date.UTC(2024, 3, 7)], ['Australia/Lord_Howe', Date.UTC(2024, 9, 6)],
    ['Europe/Zurich', Date.UTC(1996, 2, 31)], ['Europe/Zurich', Date.UTC(1996, 9, 27)],
  ];
  const kinds = new Set<string>();
  for (const [zone, day] of days) {
    const z = new ZonedTime(zone);
    const fresh = new ZonedTime(zone);
    // Every 7 min 13.25 s of the local day (milliseconds too, as a tick's), and the seconds around each hour.
    const walls: number[] = [];
    for (let w = day; w < day + 86_400_000; w += 7 * 60_000 + 13_250) walls.push(w);
    for (let h = 0; h < 24; h++) for (const d of [-1000, -1, 0, 1, 1000]) walls.push(day + h * 3_600_000 + 30 * 60_000 * (h % 2) + d);
    for (const w of walls) {
      const want = reference(fresh, w);
      kinds.add(want.kind);
      assert.equal(z.toUtc(w), want, `${zone} at wall ${new Date(w).toISOString()}`);
    }
  }
  assert.equal([...kinds].sort(), ['ambiguous', 'gap', 'unique']);
});

test.run();
