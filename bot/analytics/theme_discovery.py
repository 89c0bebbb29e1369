"""Discovery: group comments that got no theme into clusters, so analysts can spot a theme
the taxonomy lacks. Each cluster has its top terms and three representative quotes (the
texts closest to its centre), redacted again before they are shown. A cluster of fewer
texts than the small-group size is not shown (its quotes would be nearly one person's own
words); only how many texts such clusters hold is told.

KMeans over the multilingual-e5 embeddings (meaning, across Swedish and English); top terms
by how much more a word weighs (TF-IDF) inside the cluster than in all the texts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from bot.analytics.themes import embed
from bot.engine.redact import redact

MIN_WORDS = 3  # "nej tack", "inget mer" say nothing to cluster
MAX_CLUSTERS = 10
QUOTES = 3
TERMS = 6
SWEDISH_STOP_WORDS = frozenset("""
alla allt att av bara blev bli blir de dem den denna deras dess det detta dig din dina
ditt dom du där då efter ej eller en er era ert ett fast från får för ha hade han hans har
hela hen henne hennes hon honom hur här i ibland icke inga ingen inget inte jag ju kan
kunde man med mellan men mig min mina mitt mot mycket ni nog nu när någon något några och
om oss på riktigt samma sedan sen sig sin sina sitt ska skulle som så sådan till tills
under upp ut utan vad var vara varför varit vars vart vem vi vid vilka vilken vill väl än
är ännu åt över också bra lite mer mest få fick får gör göra gjorde kommer går väldigt
""".split())


@dataclass(frozen=True)
class Cluster:
    size: int
    terms: list[str]
    quotes: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def candidates(texts: list[str], min_words: int = MIN_WORDS) -> list[str]:
    """Distinct texts with at least `min_words` words."""
    return list(dict.fromkeys(t.strip() for t in texts if len(t.split()) >= min_words))


def cluster_count(n: int) -> int:
    return max(2, min(MAX_CLUSTERS, round(math.sqrt(n / 2))))


def _top_terms(texts: list[str], labels: np.ndarray, k: int) -> list[list[str]]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    vectorizer = TfidfVectorizer(token_pattern=r"(?u)\b[^\W\d_]{3,}\b", lowercase=True,
                                 stop_words=sorted(SWEDISH_STOP_WORDS | ENGLISH_STOP_WORDS))
    try:
        weights = vectorizer.fit_transform(texts).toarray()
    except ValueError:  # nothing but stop words
        return [[] for _ in range(k)]
    words = vectorizer.get_feature_names_out()
    overall = weights.mean(axis=0)
    out = []
    for cluster in range(k):
        lift = weights[labels == cluster].mean(axis=0) - overall
        order = [i for i in np.argsort(-lift)[:TERMS] if lift[i] > 0]
        out.append([str(words[i]) for i in order])
    return out


def discover(texts: list[str], clusters: int | None = None,
             min_words: int = MIN_WORDS) -> list[Cluster]:
    """Clusters of the texts, largest first; [] when there are fewer than two texts."""
    from sklearn.cluster import KMeans

    chosen = candidates(texts, min_words)
    if len(chosen) < 2:
        return []
    k = min(clusters or cluster_count(len(chosen)), len(chosen))
    vectors = embed(chosen)
    model = KMeans(n_clusters=k, n_init=10, random_state=0).fit(vectors)
    terms = _top_terms(chosen, model.labels_, k)
    found = []
    for cluster in range(k):
        members = np.flatnonzero(model.labels_ == cluster)
        centre = model.cluster_centers_[cluster]
        closest = members[np.argsort(-(vectors[members] @ centre))][:QUOTES]
        found.append(Cluster(len(members), terms[cluster],
                             [redact(chosen[i]).text for i in closest]))
    return sorted(found, key=lambda c: -c.size)


def shown(found: list[Cluster], min_group_size: int) -> tuple[list[Cluster], int]:
    """The clusters that may be shown, and how many texts the others hold."""
    visible = [c for c in found if c.size >= min_group_size]
    return visible, sum(c.size for c in found) - sum(c.size for c in visible)


def lines(found: list[Cluster], total: int, not_shown: int = 0,
          min_group_size: int = 1) -> list[str]:
    """The clusters as text for the terminal."""
    out = [f"{len(found)} clusters of {sum(c.size for c in found)} comments without a theme "
           f"({total} such texts in all; shorter than {MIN_WORDS} words left out)"]
    if not_shown:
        out.append(f"{not_shown} comments are in clusters smaller than {min_group_size}: "
                   "not shown")
    for number, cluster in enumerate(found, 1):
        out.append(f"\nCluster {number}: {cluster.size} comments")
        out.append(f"  top terms: {', '.join(cluster.terms) or '-'}")
        out += [f"  \u201c{quote}\u201d" for quote in cluster.quotes]
    return out
