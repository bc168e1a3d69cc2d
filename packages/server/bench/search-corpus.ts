// Photo text for the search benchmark: titles, descriptions and tags as
// people write them, from a seeded generator, so every run searches the same
// 100,000 photos. Word frequencies follow Zipf's law (a few words are
// common, most are rare), as they do in real captions.

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same photos. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS =
  `beach sunset sunrise mountain lake river forest city street bridge harbour lighthouse
  cathedral market garden park cafe train station airport castle village valley canyon desert glacier
  waterfall island coast cliff meadow vineyard orchard farm barn church temple mosque museum library
  skyline rooftop alley square fountain statue tower ruins monastery pier marina boat ship kayak sailboat
  dog cat horse cow sheep goat bird eagle owl heron swan duck fox deer bear squirrel rabbit butterfly bee
  flower rose tulip sunflower daisy orchid cactus tree oak pine birch maple willow palm fern moss mushroom
  snow rain fog storm rainbow clouds stars moon aurora lightning portrait wedding birthday concert festival
  parade picnic hike camping roadtrip breakfast dinner pizza pasta sushi coffee wine beer cake icecream
  bicycle motorcycle car truck tram bus subway graffiti mural neon reflection shadow silhouette window door
  staircase tunnel highway crossroads lantern candle fireplace bookshop bakery cheese bread tomatoes apples`
    .split(/\s+/)
    .filter(Boolean);

const ADJECTIVES =
  `golden misty quiet busy old ancient modern tiny huge bright dark colourful foggy snowy rainy
  sunny windy early late lonely crowded hidden famous local wild calm stormy frozen warm cold green blue red
  autumn spring summer winter evening morning midnight rustic urban coastal alpine tropical`
    .split(/\s+/)
    .filter(Boolean);

const PLACES =
  `lisbon porto madrid seville paris lyon berlin munich vienna prague budapest krakow rome
  florence venice naples athens istanbul cairo marrakesh tokyo kyoto osaka seoul taipei hanoi bangkok
  sydney melbourne auckland vancouver toronto montreal chicago boston seattle denver austin havana lima
  cusco santiago reykjavik oslo bergen stockholm helsinki copenhagen amsterdam brussels dublin edinburgh`
    .split(/\s+/)
    .filter(Boolean);

const FILLER = `the a of in on at with and from near after before during under over by for our my we
  it was is were very just finally again first last little long walk view light day night time trip
  weekend friends family together morning afternoon back home way around across through`
  .split(/\s+/)
  .filter(Boolean);

/**
 * A Zipf–Mandelbrot pick: index k with probability ∝ 1 / (k + 10), so the
 * most common word comes up in about 3% of draws (about 1 photo in 6 holds
 * it somewhere), and the rarest in about 0.2%.
 */
function zipf(random: () => number, items: readonly string[]): string {
  const n = items.length;
  const q = 10;
  // The inverse of the continuous CDF: good enough for benchmark text.
  const u = random();
  const k = Math.floor(q ** (1 - u) * (n + q) ** u) - q;
  return items[Math.min(n - 1, Math.max(0, k))] as string;
}

const pick = (random: () => number, items: readonly string[]) =>
  items[Math.floor(random() * items.length)] as string;

export interface PhotoText {
  title: string;
  description: string;
  tags: string[];
  capturedAt: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The text of photo `i`: the same for the same `i` in every run. */
export function photoText(i: number): PhotoText {
  const random = seededRandom(i * 2654435761);
  const subject = zipf(random, SUBJECTS);
  const place = zipf(random, PLACES);
  const title =
    random() < 0.15
      ? `IMG_${String(i).padStart(5, '0')}`
      : [
          ...(random() < 0.6 ? [pick(random, ADJECTIVES)] : []),
          subject,
          ...(random() < 0.5 ? ['in', place] : []),
        ]
          .join(' ')
          .replace(/^./, (c) => c.toUpperCase());
  const sentences = Math.floor(random() * 3);
  const description = Array.from({ length: sentences }, () =>
    Array.from({ length: 6 + Math.floor(random() * 12) }, () =>
      random() < 0.45
        ? zipf(random, FILLER)
        : random() < 0.7
          ? zipf(random, SUBJECTS)
          : pick(random, ADJECTIVES),
    ).join(' '),
  ).join('. ');
  const tags = [
    ...new Set([
      subject,
      ...(random() < 0.7 ? [place] : []),
      ...Array.from({ length: Math.floor(random() * 5) }, () => zipf(random, SUBJECTS)),
      ...(random() < 0.3 ? [pick(random, ADJECTIVES)] : []),
    ]),
  ];
  const taken = random() < 0.8;
  const located = random() < 0.4;
  const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(random() * 3650) * 86_400_000);
  return {
    title,
    description,
    tags,
    capturedAt: taken
      ? `${day.toISOString().slice(0, 10)}T${String(8 + (i % 12)).padStart(2, '0')}:00:00`
      : null,
    latitude: located ? -60 + random() * 120 : null,
    longitude: located ? -180 + random() * 360 : null,
  };
}
