"""The topic workflow after the fit (skvae.topics), on planted topics."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import Pipeline, make_pipeline

from skvae import VAEEmbedder
from skvae import topics as T

pytestmark = [
    pytest.mark.trains,
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

THEMES = {
    "fruit": "apple banana mango pear peach plum grape lemon melon cherry",
    "cars": "engine wheel brake clutch gear motor diesel truck garage piston",
    "space": "rocket orbit planet moon astronaut launch satellite nasa comet galaxy",
}
# A near twin of "fruit": it shares seven of its ten words.
THEMES["juice"] = " ".join(THEMES["fruit"].split()[:7] + ["juice", "smoothie", "bar"])


def documents(themes, n_docs, seed=0, length=20):
    rng = np.random.default_rng(seed)
    names = list(themes)
    labels = np.arange(n_docs) % len(names)
    docs = [" ".join(rng.choice(THEMES[names[k]].split(), size=length)) for k in labels]
    return docs, labels


def topic_theme(model, themes):
    """The planted theme whose words fill each topic's top five terms most."""
    names = list(themes)
    words = [set(THEMES[name].split()) for name in names]
    top = T.topic_labels(model, 5, separator=" ")
    return [
        names[int(np.argmax([len(w & set(t.split())) for w in words]))] for t in top
    ]


@pytest.fixture(scope="module")
def planted():
    """A 4-topic model of four planted themes, two of them near twins."""
    docs, labels = documents(THEMES, 600)
    pipe = make_pipeline(
        CountVectorizer(),
        VAEEmbedder(4, latent="topic", max_iter=60, random_state=0),
    ).fit(docs)
    return pipe, docs, labels


def test_the_near_twin_topics_merge_first(planted):
    pipe, _, _ = planted
    themes = topic_theme(pipe, THEMES)
    assert sorted(themes) == sorted(THEMES)  # every planted theme found
    first = T.topic_linkage(pipe)[0]
    assert {themes[int(first[0])], themes[int(first[1])]} == {"fruit", "juice"}


def test_reduce_topics_gives_a_valid_smaller_topic_model(planted):
    pipe, docs, _ = planted
    reduced = T.reduce_topics(pipe, 3, docs)
    assert isinstance(reduced, Pipeline) and isinstance(reduced[-1], T.MergedTopics)
    merged = reduced[-1]
    themes = topic_theme(pipe, THEMES)
    twins = [g for g in merged.groups_ if len(g) == 2]
    assert len(merged.groups_) == 3 and len(twins) == 1
    assert {themes[k] for k in twins[0]} == {"fruit", "juice"}
    theta = reduced.transform(docs)
    assert theta.shape == (600, 3)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-6)
    # The merged topic's proportion is the sum of its members'.
    original = pipe.transform(docs)
    position = merged.groups_.index(twins[0])
    np.testing.assert_allclose(
        theta[:, position], original[:, list(twins[0])].sum(axis=1), atol=1e-6
    )
    assert merged.components_.shape == (3, pipe[-1].n_features_in_)
    counts = pipe[0].transform(docs)
    before, after = pipe[-1].perplexity(counts), merged.perplexity(counts)
    # Still a topic model of these documents: its perplexity stays close (the
    # merged twins may even fit a little better than two half-trained topics).
    assert np.isfinite(after) and abs(after / before - 1) < 0.2
    assert np.isfinite(merged.score(counts))
    assert merged.inverse_transform(theta[:5]).shape == (5, counts.shape[1])
    # The unmerged topics keep their weights, up to the per-term offset that
    # centring the loadings over the topics moves when others merge.
    single = [g[0] for g in merged.groups_ if len(g) == 1]
    rows = [merged.groups_.index((k,)) for k in single]
    shift = merged.components_[rows] - pipe[-1].components_[single]
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-6)


def test_merge_topics_named_groups_and_errors(planted):
    pipe, docs, _ = planted
    vae, counts = pipe[-1], pipe[0].transform(docs)
    merged = T.merge_topics(vae, [[3, 0]], counts)
    assert merged.groups_ == ((3, 0), (1,), (2,))
    assert merged.topic_weights_.shape == (4,)
    np.testing.assert_allclose(merged.topic_weights_.sum(), 1.0, atol=1e-6)
    for groups, message in [
        ([[0, 9]], r"Topic 9 is not a topic index in \[0, 4\)"),
        ([[0, 1], [1, 2]], "Topic 1 is in more than one group"),
        ([[]], "A group of topics is empty"),
    ]:
        with pytest.raises(ValueError, match=message):
            T.merge_topics(vae, groups, counts)
    with pytest.raises(TypeError, match="Merge the topics of the original"):
        T.merge_topics(merged, [[0, 1]], counts)
    with pytest.raises(ValueError, match=r"n_topics must be an integer in \[1, 4\]"):
        T.reduce_topics(vae, 5, counts)


def test_every_tool_refuses_a_model_that_is_not_a_topic_model(planted):
    _, docs, labels = planted
    counts = CountVectorizer().fit_transform(docs)
    gaussian = VAEEmbedder(3, max_iter=1, random_state=0).fit(counts)
    message = "need a topic model"
    for call in (
        lambda: T.topic_linkage(gaussian),
        lambda: T.reduce_topics(gaussian, 2, counts),
        lambda: T.topics_over_time(gaussian, counts, np.arange(600)),
        lambda: T.topic_labels(gaussian, feature_names=np.arange(counts.shape[1])),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(TypeError, match="Expected a VAEEmbedder fitted with"):
        T.topic_linkage(CountVectorizer().fit(docs))


def test_labels_prefer_phrases_and_representative_documents_match_topics(planted):
    pipe, docs, labels = planted
    themes = topic_theme(pipe, THEMES)
    frame = T.representative_documents(pipe, docs, n_docs=3)
    assert list(frame.columns) == ["topic", "rank", "document", "proportion", "text"]
    names = list(THEMES)
    for topic, rows in frame.groupby("topic"):
        assert {names[labels[d]] for d in rows["document"]} == {themes[topic]}
        assert rows["proportion"].is_monotonic_decreasing
    # With bigrams, a planted phrase labels its topic as a whole.
    rng = np.random.default_rng(1)
    phrase_docs = [
        "space station " + " ".join(rng.choice(THEMES["space"].split(), 8))
        if i % 2
        else " ".join(rng.choice(THEMES["cars"].split(), 10))
        for i in range(300)
    ]
    bigrams = make_pipeline(
        CountVectorizer(ngram_range=(1, 2), min_df=20),
        VAEEmbedder(2, latent="topic", max_iter=30, random_state=0),
    ).fit(phrase_docs)
    labelled = T.topic_labels(bigrams, 3)
    space = next(label for label in labelled if "station" in label)
    assert "space station" in space.split(", ")
    assert "space" not in space.split(", ") and "station" not in space.split(", ")


def test_a_rising_planted_topic_rises_over_time():
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0, 1, size=600))
    # A document is about space with probability t, else about cars or fruit.
    names = [
        "space" if rng.random() < t else rng.choice(["cars", "fruit"]) for t in times
    ]
    docs = [" ".join(rng.choice(THEMES[n].split(), size=20)) for n in names]
    pipe = make_pipeline(
        CountVectorizer(), VAEEmbedder(3, latent="topic", max_iter=60, random_state=0)
    ).fit(docs)
    space = topic_theme(pipe, {k: THEMES[k] for k in ("fruit", "cars", "space")})
    space = space.index("space")
    stamps = np.datetime64("2020-01-01") + (times * 365).astype("timedelta64[D]")
    frame = T.topics_over_time(pipe, docs, stamps, bins=4, n_draws=30)
    assert len(frame) == 4 * 3 and frame["n_documents"].sum() == 3 * 600
    rising = frame[frame["topic"] == space].sort_values("bin")
    prevalence = rising["prevalence"].to_numpy()
    assert np.all(np.diff(prevalence) > 0)
    assert prevalence[-1] - prevalence[0] > 0.3
    assert np.all(rising["lower"] <= rising["prevalence"])
    assert np.all(rising["prevalence"] <= rising["upper"])
    assert np.all(rising["upper"] - rising["lower"] > 0)  # a band, not a point
    assert rising["start"].iloc[0] == stamps.min()
    # Within a bin, the topics' prevalences share out the documents.
    np.testing.assert_allclose(frame.groupby("bin")["prevalence"].sum(), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="X has 600 documents, timestamps has shape"):
        T.topics_over_time(pipe, docs, stamps[:-1])


def test_pyldavis_export_runs_end_to_end(planted, tmp_path):
    pyLDAvis = pytest.importorskip("pyLDAvis")
    pipe, docs, _ = planted
    prepared = T.to_pyldavis(pipe, docs)
    assert prepared.topic_coordinates.shape[0] == 4
    page = tmp_path / "topics.html"
    pyLDAvis.save_html(prepared, str(page))
    html = page.read_text()
    assert "ldavis" in html.lower() and "galaxy" in html


def test_figures_show_every_topic(planted):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    pipe, docs, labels = planted
    figure = T.plot_topic_hierarchy(pipe)
    tick_labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(tick_labels) == 4 and all(": " in t for t in tick_labels)
    figure = T.plot_intertopic_map(pipe, docs)
    assert sorted(t.get_text() for t in figure.axes[0].texts) == ["0", "1", "2", "3"]
    listed = figure.axes[1].texts[0].get_text().splitlines()
    assert len(listed) == 4 and all("%" in line for line in listed)
    figure = T.plot_document_map(pipe, docs[:200], labels=labels[:200])
    assert len(figure.axes[0].collections) == 4
    frame = T.topics_over_time(pipe, docs, np.arange(600), bins=3, n_draws=5)
    figure = T.plot_topics_over_time(frame, topics=[0, 1], labels=T.topic_labels(pipe))
    assert len(figure.axes[0].lines) == 2
    matplotlib.pyplot.close("all")


def test_a_bare_estimator_with_feature_names_works_like_a_pipeline():
    pd = pytest.importorskip("pandas")
    docs, _ = documents({k: THEMES[k] for k in ("fruit", "cars", "space")}, 300)
    params = {"n_components": 3, "latent": "topic", "max_iter": 20, "random_state": 0}
    pipe = make_pipeline(CountVectorizer(), VAEEmbedder(**params)).fit(docs)
    counts = pipe[0].transform(docs)
    frame = pd.DataFrame(counts.toarray(), columns=pipe[0].get_feature_names_out())
    vae = VAEEmbedder(**params).fit(frame)
    # The same fit, reached through feature_names_in_ instead of the vectorizer.
    assert T.topic_labels(vae) == T.topic_labels(pipe)
    reduced = T.reduce_topics(vae, 2, frame)
    assert isinstance(reduced, T.MergedTopics)
    assert reduced.groups_ == T.reduce_topics(pipe, 2, docs)[-1].groups_
    assert T.topic_labels(reduced) == T.topic_labels(T.reduce_topics(pipe, 2, docs))
    stamps = np.arange(300)
    pd.testing.assert_frame_equal(
        T.topics_over_time(vae, frame, stamps, bins=3, n_draws=5),
        T.topics_over_time(pipe, docs, stamps, bins=3, n_draws=5),
        atol=5e-3,  # dense and sparse batches round differently in training
    )
    with pytest.raises(ValueError, match="has no feature names"):
        T.topic_labels(VAEEmbedder(2, latent="topic", max_iter=1).fit(counts))
