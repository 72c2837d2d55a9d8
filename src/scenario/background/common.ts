/** What every background actor gets: the emitter, its own seeded stream, and the scale. */
import type { Emitter } from '../emit.js';
import type { Rng } from '../rng.js';
import { HOUR, localHour } from '../time.js';

export interface Bg {
  E: Emitter;
  rng: Rng;
  seed: number;
  scale: number;
}

/** An actor is asked for the records of one UTC hour at a time, in order. */
export interface Actor {
  hour(h0: number): void;
}

/** Relative activity of customers by local hour (peaks in the evening, quiet at night). */
const DIURNAL = [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 0.9, 1.1, 1.2, 1.25, 1.3, 1.25, 1.2, 1.2, 1.25, 1.35, 1.5, 1.6, 1.55, 1.3, 0.9, 0.5];

export function diurnal(t: number): number {
  return DIURNAL[localHour(t).hour]!;
}

/** A uniformly random instant within the hour starting at h0. */
export function within(rng: Rng, h0: number): number {
  return h0 + Math.floor(rng.float() * HOUR);
}

/** First octets of ordinary public address space (no private, reserved, documentation or AWS ranges used by the estate). */
const PUBLIC_FIRST = [5, 14, 27, 31, 36, 37, 39, 41, 42, 43, 45, 46, 49, 58, 59, 60, 61, 62, 64, 77, 78, 79, 80, 81, 82, 83, 85, 87, 88, 89, 91, 92, 93, 94, 95, 101, 103, 104, 106, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 134, 138, 139, 141, 143, 146, 150, 152, 154, 156, 157, 159, 161, 162, 164, 167, 170, 171, 175, 176, 177, 178, 179, 180, 181, 182, 183, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195, 196, 197, 200, 201, 202, 206, 209, 210, 211, 212, 213, 217, 218, 219, 220, 221, 222];

export function publicIp(rng: Rng): string {
  return `${rng.pick(PUBLIC_FIRST)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}
