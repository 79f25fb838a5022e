"""The answerability stage on the fake embedder: signals, the fitted judge, what is missing, `ask`."""

import json

import numpy as np
import pytest

import article_qa
from article_qa import Answer, RankSettings, Retriever
from article_qa.answerability import (
    FEATURES,
    JUDGE_FILE,
    Evidence,
    Judge,
    fit,
    gather,
    in_article,
    is_key,
    question_words,
)
from article_qa.evaluation import evaluate_squad
from article_qa.retrieval import clean_question

from .conftest import FakeEmbedder


def evidence(**values) -> Evidence:
    return Evidence(**{name: values.get(name, 0.0) for name in FEATURES})


def test_fit_separates_and_keeps_the_false_abstention_budget():
    rng = np.random.default_rng(0)
    good = [
        evidence(top_score=s, unmatched=u)
        for s, u in zip(rng.normal(0.7, 0.1, 100), rng.uniform(0, 0.3, 100), strict=False)
    ]
    bad = [
        evidence(top_score=s, unmatched=u)
        for s, u in zip(rng.normal(0.5, 0.1, 50), rng.uniform(0.4, 1, 50), strict=False)
    ]
    labels = [True] * 100 + [False] * 50
    judge = fit(good + bad, labels, labels, false_abstention=0.02)
    turned_away = sum(judge.probability(e) < judge.threshold for e in good)
    assert turned_away <= 2  # 2% of 100
    assert sum(judge.probability(e) < judge.threshold for e in bad) >= 40
    assert judge.weights[FEATURES.index("unmatched")] < 0 < judge.weights[FEATURES.index("top_score")]


def test_judge_round_trips_through_json(tmp_path):
    judge = Judge(FEATURES, (0.5,) * 7, (1.0,) * 7, tuple(range(7)), -1.0, 0.3, {"sets": "x"})
    judge.save(tmp_path / "j.json")
    again = Judge.load(tmp_path / "j.json")
    assert again == judge
    e = evidence(top_score=0.9, weakest=0.2)
    assert again.probability(e) == judge.probability(e)
    data = json.loads((tmp_path / "j.json").read_text())
    data["features"] = ["top_score"]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="fitted on features"):
        Judge.load(tmp_path / "bad.json")


def test_the_shipped_judge_loads_and_reads_these_features():
    judge = Judge.load(JUDGE_FILE)
    assert judge.features == FEATURES and 0 < judge.threshold < 1
    assert judge.notes["false_abstention_budget"] == 0.02


def test_key_words_and_presence_in_the_article(fake_retriever):
    state = fake_retriever._ready()
    assert is_key("ptsd") and is_key("cocaine") and not is_key("kind") and not is_key("the")
    assert not is_key("apart") and not is_key("according")  # "apart from X", "according to X": X is the key
    assert in_article("cocaine", state) and in_article("nasal", state)  # "nasal" inside "intranasal"
    assert not in_article("ptsd", state)
    assert not is_key("us") and not is_key("myself")  # "take my nephew with us": pronouns, not subjects
    # a chat message's greetings and thanks, a sentence's joints and times: how a reader writes
    assert not any(is_key(w) for w in ("hello", "please", "thanks", "although", "perhaps", "towards", "today"))
    # a word a letter away from one the article uses is a typo or a variant ("advise" / "advice"), not absent
    assert in_article("cocaime", state) and in_article("alchohol", state)
    assert not in_article("ptsdx", state) and not in_article("cats", state)


def test_missing_names_the_absent_key_word_in_the_readers_spelling(fake_retriever):
    state = fake_retriever._ready()
    question = clean_question("Can ketamine treat PTSD in people addicted to cocaine?")
    query = state.query_text(question)
    encoded = fake_retriever.embedder.encode_query(query)
    from article_qa.ranking import rank

    ev = gather(state, question, query, encoded, rank(state, query, encoded, fake_retriever.ranking))
    assert "PTSD" in ev.missing and "cocaine" not in ev.missing
    assert ev.unmatched > 0 and 0 <= ev.top_coverage <= ev.article_coverage <= 1
    words = [w.text for w in question_words(encoded)]
    assert "ptsd" in words


def test_ask_answers_or_offers_related_reading(corpus_copy, tmp_path):
    always = Judge(FEATURES, (0.0,) * 7, (1.0,) * 7, (0.0,) * 7, 5.0, 0.5)  # probability ~0.99
    never = Judge(FEATURES, (0.0,) * 7, (1.0,) * 7, (0.0,) * 7, -5.0, 0.5)  # probability ~0.01
    yes = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder(), judge=always)
    answer = yes.ask("cocaine midazolam session abstinent", 3)
    assert isinstance(answer, Answer) and answer.answered and answer.confidence > 0.9
    assert answer.hits and all(h.score >= yes.ranking.min_score for h in answer.hits)
    assert yes.search("cocaine midazolam session abstinent", 3) == answer.hits
    no = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder(), judge=never)
    answer = no.ask("cocaine midazolam session abstinent", 3)
    assert not answer.answered and answer.confidence < 0.1 and len(answer.hits) == 3  # related reading
    assert no.search("cocaine midazolam session abstinent", 3) == []
    assert len(no.search("cocaine midazolam session abstinent", 3, min_score=None)) == 3  # the cut is off
    off = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder(), judge=never,
                    ranking=RankSettings(answerability=False))  # fmt: skip
    assert off.ask("cocaine midazolam session abstinent", 3).answered  # the score cut alone
    assert answer.to_dict()["hits"][0]["passage_id"] == answer.hits[0].passage_id


@pytest.mark.parametrize("question, k, error", [(None, 3, TypeError), ("  ", 3, ValueError), ("ok", 0, ValueError)])
def test_ask_has_the_same_input_errors(fake_retriever, question, k, error, monkeypatch):
    with pytest.raises(error):
        fake_retriever.ask(question, k)
    monkeypatch.setattr(article_qa.retrieval, "default_retriever", lambda: pytest.fail("loaded for a bad question"))
    with pytest.raises(error):
        article_qa.ask(question, k)


def test_eval_squad_on_a_tiny_file(tmp_path):
    paragraphs = [
        "Ketamine is an anesthetic that was first made in 1962 by Calvin Stevens.",
        "Cocaine use disorder has no approved medication, and craving drives relapse.",
    ]
    qas = [
        [{"id": "a", "question": "Who first made ketamine?", "is_impossible": False, "answers": []},
         {"id": "b", "question": "Who first made cocaine?", "is_impossible": True, "answers": []}],
        [{"id": "c", "question": "Is there an approved medication for cocaine use disorder?", "is_impossible": False,
          "answers": []}],
    ]  # fmt: skip
    data = {
        "data": [
            {
                "title": "Tiny_drugs",
                "paragraphs": [{"context": c, "qas": q} for c, q in zip(paragraphs, qas, strict=False)],
            }
        ]
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data))
    m = evaluate_squad(path, FakeEmbedder())
    assert m["articles"] == 1 and m["answerable"] == 2 and m["unanswerable"] == 1
    assert m["hit@1"] == 1.0  # each answerable question's words are its paragraph's own
    assert 0 <= m["false_abstention"] <= 1 and 0 <= m["abstain_unanswerable"] <= 1
    assert m["per_article"][0]["title"] == "Tiny_drugs"
    question = {"id": "d", "question": "What keeps people awake at night?", "is_impossible": False, "answers": []}
    other = {
        "title": "Tiny_coffee",
        "paragraphs": [{"context": "Coffee keeps people awake at night.", "qas": [question]}],
    }
    path.write_text(json.dumps({"data": [*data["data"], other]}))
    both = evaluate_squad(path, FakeEmbedder(), together=True)
    assert both["together"] and both["passages"] == 3 and both["answerable"] == 3
    assert both["hit@1"] == 1.0  # the right article and the right paragraph


def test_eval_squad_counts_a_long_paragraph_cut_into_pieces_as_one(tmp_path):
    long = " ".join(f"Trial {n} gave patients a dose of {n} milligrams and watched them for a week." for n in range(60))
    paragraphs = [long + " The last trial found that ketamine reduced drinking.", "Coffee keeps people awake."]
    qas = [[{"id": "a", "question": "Which drug reduced drinking in the last trial?", "is_impossible": False}],
           [{"id": "b", "question": "What keeps people awake?", "is_impossible": False}]]  # fmt: skip
    pairs = zip(paragraphs, qas, strict=True)
    data = {"data": [{"title": "Long", "paragraphs": [{"context": c, "qas": q} for c, q in pairs]}]}
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data))
    m = evaluate_squad(path, FakeEmbedder())
    assert m["passages"] > 2  # the long paragraph is several passages
    assert m["answerable"] == 2 and m["hit@3"] == 1.0  # each question finds its paragraph, by number


def test_answerability_report_runs_on_the_fake_embedder(corpus_copy, tmp_path):
    from benchmarks import answerability as report

    retriever = Retriever(corpus_copy, tmp_path / "index", embedder=FakeEmbedder(), save=False)
    article = report.article_report(retriever)
    assert [r["set"] for r in article["sets"]] == list(report.SETS)
    assert sum(b["questions"] for b in article["reliability"]) > 0
    articles = [
        {"title": f"T{i}", "paragraphs": [{"context": f"Topic {i} alpha beta gamma. Delta {i}.", "qas": [
            {"id": f"{i}a", "question": f"topic {i} alpha", "is_impossible": False, "answers": []},
            {"id": f"{i}b", "question": f"topic {i} zeta", "is_impossible": True, "answers": []}]}]}
        for i in range(4)
    ]  # fmt: skip
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": articles}))
    squad = report.squad_report(
        path, lambda c, i: Retriever(c, i, embedder=FakeEmbedder(), save=False), retriever.judge, 0.22
    )
    assert len(squad["refit_by_article"]["folds"]) == 2 and len(squad["shipped"]["curve"]) == 5


SITUATION = (
    "My neighbour's greyhound was sedated at the vet last winter and my cousin works night shifts at a "
    "warehouse. Does ketamine help people with alcohol use disorder?"
)


def test_a_situation_is_never_named_missing_and_the_question_is_read_first(fake_retriever, monkeypatch):
    seen = []
    encode = fake_retriever.embedder.encode_query
    monkeypatch.setattr(fake_retriever.embedder, "encode_query", lambda text: seen.append(text) or encode(text))
    answer = fake_retriever.ask(SITUATION, 3)
    situation_words = {"neighbour", "greyhound", "sedated", "vet", "winter", "cousin", "shifts", "warehouse"}
    assert not situation_words & {m.lower() for m in answer.missing}
    assert seen[0].lower().startswith("does ketamine help")  # the question part leads what the model reads


def test_an_absent_word_of_the_question_part_is_still_named(fake_retriever):
    answer = fake_retriever.ask("My brother has been drinking for years. Can ketamine treat PTSD?", 3)
    assert "PTSD" in answer.missing and "brother" not in [m.lower() for m in answer.missing]


def test_a_short_question_with_a_subject_of_its_own_is_read_without_the_sentence_before(fake_retriever):
    # "Can he be compensated?" is short, so the search keeps the sentence before; but it names its own
    # subject, so that sentence is situation: its words are never named missing.
    message = "I care for him. He lost his pension and his greyhound in the trial. Can he take cocaine?"
    answer = fake_retriever.ask(message, 3)
    missing = {m.lower() for m in answer.missing}
    assert not {"pension", "greyhound", "trial"} & missing
    # a last sentence that only asks ("Is that possible?") is about the sentence before: its words count
    answer = fake_retriever.ask("I was prescribed ketamine. I want to treat my greyhound. Is that possible?", 3)
    assert "greyhound" in {m.lower() for m in answer.missing}


def test_a_question_asked_first_and_the_situation_after_it(fake_retriever, monkeypatch):
    seen = []
    encode = fake_retriever.embedder.encode_query
    monkeypatch.setattr(fake_retriever.embedder, "encode_query", lambda text: seen.append(text) or encode(text))
    answer = fake_retriever.ask("Does ketamine help cocaine addiction? The vet sedated our greyhound in winter.", 3)
    assert not {"vet", "sedated", "greyhound", "winter"} & {m.lower() for m in answer.missing}
    assert seen[0].lower().startswith("does ketamine help")


def test_the_readers_own_people_are_not_key_words(fake_retriever):
    assert not is_key("cousin") and not is_key("brothers") and not is_key("boss") and is_key("cocaine")
    answer = fake_retriever.ask("Can my cousin and my stepfather take ketamine for PTSD?", 3)
    missing = {m.lower() for m in answer.missing}
    assert "ptsd" in missing and not {"cousin", "stepfather"} & missing


@pytest.mark.model
def test_the_real_model_answers_a_situation_then_question(real_retriever):
    message = (
        "My brother has drunk heavily for years and his doctor mentioned ketamine at his last appointment. "
        "Does it help with alcohol?"
    )
    answer = real_retriever.ask(message, 3)
    assert answer.answered and not {"brother", "doctor", "appointment"} & {m.lower() for m in answer.missing}
    assert "alcohol" in answer.hits[0].text.lower()


def _two_articles(tmp_path):
    from article_qa import Retriever

    from .conftest import FakeEmbedder

    corpus = tmp_path / "two"
    corpus.mkdir()
    (corpus / "alcohol.md").write_text(
        "# Ketamine and Alcohol\n\nKetamine infusions helped people with alcohol use disorder drink less.\n\n"
        "The trial gave three weekly infusions and followed people for six months.\n"
    )
    (corpus / "trauma.md").write_text("# Trauma Care\n\nPTSD is treated with talking therapy and medication.\n")
    (corpus / "note.md").write_text("# A Note\n\nKetamine is an anaesthetic used in surgery since the 1970s.\n")
    return Retriever(corpus, tmp_path / "index", embedder=FakeEmbedder())


def test_one_article_means_one_article(tmp_path):
    r = _two_articles(tmp_path)
    asked_alone = r.ask("Can ketamine infusions treat PTSD?", 3, article="Ketamine and Alcohol")
    assert "PTSD" in asked_alone.missing  # the other article's "PTSD" does not count for this one
    state = r._ready()
    scope = state.scope("alcohol.md")
    assert not scope.whole and "ptsd" not in " ".join(scope.words) and "ptsd" in " ".join(state.words)


def test_a_word_the_article_uses_only_in_a_heading_is_not_missing(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "paper.md").write_text(
        "# Dense Retrieval\n\n## Method\n\nPassages are embedded once and searched by inner product.\n\n"
        "## Conclusion\n\nMore complex model frameworks or similarity functions do not give more value.\n",
        "utf-8",
    )
    r = Retriever(corpus, tmp_path / "index", embedder=FakeEmbedder())
    answer = r.ask("Do fancier similarity functions help, according to the conclusion?", 3)
    assert "conclusion" not in [m.lower() for m in answer.missing]  # "## Conclusion" names it
    scope = r._ready().scope("paper.md")
    assert "conclusion" in scope.terms and "retrieval" in scope.terms  # a section's name, the title


def test_a_one_passage_article_gets_no_free_margin(tmp_path):
    from article_qa.ranking import rank

    r = _two_articles(tmp_path)
    state = r._ready()
    only = np.array([p.source == "note.md" for p in state.passages])
    question = "When was ketamine first used in surgery?"
    query = state.query_text(question)
    encoded = r.embedder.encode_query(query)
    ranking = rank(state, query, encoded, r.ranking)
    from article_qa.ranking import Ranking

    masked = Ranking(np.where(only, ranking.scores, np.float32(-2.0)), ranking.sentence_scores)
    assert gather(state, question, query, encoded, masked).margin == 0.0
