/* Sanjeh QA: the review score of docs/qa.md ("Review score"), computed as
   sanjeh.qa.review_score computes it: the same operations in the same order (sums added
   left to right in the scorecard's order), so the same number to the last bit. Used by
   the live previews of the review form and the scorecard builder; the server scores
   every review again.

   SanjehScore.review(card, ratings): card in the Scorecard.to_dict() form (sections →
   categories with weight, scale, critical, fail_section, bonus); ratings by category id
   (a whole number on its scale; null or missing = N/A). Answers {score, failed_critical,
   categories, sections, failed_sections, bonus}; score null when nothing counts. */
(function (root) {
  "use strict";
  const CRITICAL_BELOW = 50.0;
  const MAX_SCORE = 100.0;
  const SCALES = { binary: [0, 1], 3: [1, 3], 4: [1, 4], 5: [1, 5] };

  function categoryScore(rating, scale) {
    const [min, max] = SCALES[scale];
    return (rating - min) / (max - min) * 100.0;
  }

  function weighted(pairs) {
    const kept = pairs.filter(([, w]) => w > 0);
    let total = 0;
    for (const [, w] of kept) total += w;
    if (total === 0) return null;
    let points = 0.0;
    for (const [s, w] of kept) points += s * w;
    return points / total;
  }

  function rated(value) {
    return value !== null && value !== undefined;
  }

  function review(card, ratings) {
    const categories = {};
    const failedSections = [];
    let failed = false;
    for (const sec of card.sections) {
      for (const cat of sec.categories) {
        const rating = ratings[cat.id];
        const value = rated(rating) ? categoryScore(rating, cat.scale) : null;
        categories[cat.id] = value;
        if (value === null || value >= CRITICAL_BELOW) continue;
        if (cat.critical) failed = true;
        else if (cat.fail_section && !failedSections.includes(sec.id)) failedSections.push(sec.id);
      }
    }
    /* what each category counts for: its score, 0 in a failed section, null if N/A */
    const counted = {};
    for (const sec of card.sections) {
      for (const cat of sec.categories) {
        const value = categories[cat.id];
        counted[cat.id] = value !== null && failedSections.includes(sec.id) ? 0.0 : value;
      }
    }
    const base = (cats) => cats.filter((c) => !c.bonus && counted[c.id] !== null)
      .map((c) => [counted[c.id], c.weight]);
    const sections = {};
    for (const sec of card.sections) {
      sections[sec.id] = failedSections.includes(sec.id) ? 0.0 : weighted(base(sec.categories));
    }
    const all = card.sections.flatMap((sec) => sec.categories);
    let score = weighted(base(all));
    let bonus = 0.0;
    for (const cat of all) {
      if (cat.bonus && counted[cat.id] !== null) bonus += cat.weight * counted[cat.id] / 100.0;
    }
    if (score !== null && bonus) score = Math.min(MAX_SCORE, score + bonus);
    if (failed) score = 0.0;
    return {
      score: score,
      failed_critical: failed,
      categories: categories,
      sections: sections,
      failed_sections: failedSections,
      bonus: bonus,
    };
  }

  root.SanjehScore = { review, categoryScore, SCALES, CRITICAL_BELOW, MAX_SCORE };
})(window);
