"""Question analysis: publishers named in a question, matched against the stored source names, and the question's
parts (one clause per publisher) used to retrieve and cite each part's evidence on its own."""
import datetime as dt

from assistant.query_analysis import SourceMatcher, analyse, long_clauses

SOURCES = ["TechCrunch", "The Verge", "Sporting News", "The Guardian", "BBC News - Entertainment & Arts", "Fortune"]
M = SourceMatcher(SOURCES)


def test_a_question_in_two_clauses_has_one_part_per_publisher():
    q = ("Does the Sporting News article claim that FC Cincinnati won the Supporters' Shield, while The Guardian "
         "article discusses Ratcliffe's approach to Manchester United supporters?")
    parts = analyse(q, M).parts
    assert [p.sources for p in parts] == [["Sporting News"], ["The Guardian"]]
    assert all(p.own for p in parts)
    assert parts[0].text == "Does the Sporting News article claim that FC Cincinnati won the Supporters' Shield"
    assert parts[1].text.startswith("while The Guardian article discusses Ratcliffe")


def test_the_same_publisher_named_twice_gives_two_parts():
    q = ("Between the TechCrunch report on the trial published on October 1, 2023, and the TechCrunch report on the "
         "prosecution's allegations published on October 7, 2023, was the portrayal consistent?")
    facets = analyse(q, M)
    assert facets.mentions == {"TechCrunch": 2}
    assert [p.sources for p in facets.parts] == [["TechCrunch"], ["TechCrunch"]]
    assert "trial" in facets.parts[0].text and "allegations" in facets.parts[1].text


def test_publishers_listed_together_share_the_whole_question():
    q = "Which company, reported by both TechCrunch and The Verge, spent billions to stay the default search engine?"
    parts = analyse(q, M).parts
    assert len(parts) == 2
    # "Which company, reported by both TechCrunch" has one word of its own: matched with the whole question
    assert parts[0].sources == ["TechCrunch"] and not parts[0].own and parts[0].text == q
    assert parts[1].sources == ["The Verge"] and parts[1].own and "default search engine" in parts[1].text
    q = "Which public figure won the award, as reported by Fortune, The Verge, BBC News - Entertainment & Arts and TechCrunch?"
    parts = analyse(q, M).parts
    assert [p.own for p in parts] == [True, False, False, False]
    assert [s for p in parts for s in p.sources] == ["Fortune", "The Verge", "BBC News - Entertainment & Arts", "TechCrunch"]


def test_one_named_publisher_or_none_gives_no_parts():
    assert analyse("What did The Verge say about the default search engine deal?", M).parts == []
    assert analyse("Which groups did not suspend attacks?", M).parts == []
    # names with no clause break between them share one part
    facets = analyse("Did TechCrunch & The Verge both cover the search deal?", M)
    assert [p.sources for p in facets.parts] == [["TechCrunch", "The Verge"]]


def test_a_part_keeps_the_dates_it_names_exactly_not_the_ones_bounding_a_range():
    q = ("Between the TechCrunch report on the trial published on October 1, 2023, and The Verge report on the "
         "verdict published before November 3, 2023, did the coverage change?")
    parts = analyse(q, M).parts
    assert [p.dates for p in parts] == [[dt.date(2023, 10, 1)], []]


def test_long_clauses_are_found_only_when_there_are_two_or_more():
    q = ("Which company, recently scrutinized for its alleged anticompetitive behavior in app distribution, also "
         "claimed that its new AI model Gemini rivals leading generative AI models?")
    assert long_clauses(q) == ["recently scrutinized for its alleged anticompetitive behavior in app distribution",
                               "also claimed that its new AI model Gemini rivals leading generative AI models"]
    assert analyse(q, M).clauses == long_clauses(q)
    assert long_clauses("Which groups did not suspend attacks?") == []
    assert long_clauses("Who won the award, and when?") == []


def test_a_short_piece_joined_by_a_bare_and_stays_in_its_clause():
    q = ("Which operator, according to several reports by TechCrunch, was fined for skipping the required safety "
         "drills on its harbour crossings, launched electric boats and solar chargers on the north route, and cut "
         "fares for pupils and pensioners?")
    assert long_clauses(q) == [
        "was fined for skipping the required safety drills on its harbour crossings",
        "launched electric boats and solar chargers on the north route",  # one clause naming two things
        "cut fares for pupils and pensioners",  # ", and" started it: the next clause of the list
    ]
    assert analyse(q, M).clauses == long_clauses(q)
    # the earlier cut, at every break: "launched electric boats" and "cut fares for pupils" were too short to count
    assert long_clauses(q, coordinated=False) == [
        "was fined for skipping the required safety drills on its harbour crossings", "solar chargers on the north route"]
    assert analyse(q, M, coordinated=False).clauses == long_clauses(q, coordinated=False)
    # two pieces that are long enough each stay two clauses, "and" or not
    q = ("Which company was fined for skipping the required safety drills on its harbour crossings and launched three "
         "electric boats on the north route?")
    assert len(long_clauses(q)) == 2


def test_each_clause_knows_the_publishers_it_names():
    q = ("Which company is at the center of concerns from The Guardian for manipulating search results to maximize ad "
         "revenue, is mentioned by TechCrunch and The Verge for not planning additional measures on its video "
         "platform, and is accused of harming news publishers' revenue through anticompetitive practices?")
    facets = analyse(q, M)
    assert len(facets.clauses) == 3
    assert [sorted(s) for s in facets.clause_sources] == [["The Guardian"], ["TechCrunch", "The Verge"], []]


def test_a_publisher_name_is_not_cut_into_clauses():
    matcher = SourceMatcher(SOURCES + ["The Independent - Life and Style"])
    q = ("Did The Independent - Life and Style report that the singer added four stadium dates in Europe, while "
         "Fortune said the tour earned a record sum in ticket revenue?")
    assert analyse(q, matcher).clauses == [
        "Did The Independent - Life and Style report that the singer added four stadium dates in Europe",
        "Fortune said the tour earned a record sum in ticket revenue"]
    # cut at every break, the name lost its first half
    assert analyse(q, matcher, coordinated=False).clauses[0] == "Style report that the singer added four stadium dates in Europe"


def test_two_dated_reports_of_one_or_no_publisher_give_one_part_each():
    q = ("Has the portrayal of the vampire cause in Polygon articles changed between the November 9, 2023, article "
         "discussing the undermining of vampires' menacing air and the November 15, 2023, article highlighting "
         "vampires as a hidden presence?")
    parts = analyse(q, SourceMatcher(SOURCES + ["Polygon"])).parts
    assert [(p.sources, p.dates, p.own) for p in parts] == [
        (["Polygon"], [dt.date(2023, 11, 9)], True), (["Polygon"], [dt.date(2023, 11, 15)], True)]
    assert "menacing air" in parts[0].text and "hidden presence" in parts[1].text
    q = ("Between the report published on October 2, 2023 about the trial's opening, and the report published on "
         "October 7, 2023 about the prosecution's witnesses, was the portrayal consistent?")
    parts = analyse(q, M).parts
    assert [(p.sources, p.dates) for p in parts] == [([], [dt.date(2023, 10, 2)]), ([], [dt.date(2023, 10, 7)])]
    # a range bound is not a report's day
    assert analyse("Was the trial covered before October 2, 2023 and after October 7, 2023 alike?", M).parts == []


def test_a_publisher_named_once_for_several_long_clauses_gives_one_part_per_clause():
    q = ("Which company, recently scrutinized by TechCrunch for its antitrust legal defense involving document "
         "disclosure, also claims that its new generative AI model Gemini rivals the models of OpenAI?")
    parts = analyse(q, M).parts
    assert [p.text for p in parts] == [
        "recently scrutinized by TechCrunch for its antitrust legal defense involving document disclosure",
        "also claims that its new generative AI model Gemini rivals the models of OpenAI"]
    assert all(p.clause and p.own and p.sources == ["TechCrunch"] for p in parts)
    # one long clause, or no publisher named: no clause parts
    assert analyse("What did TechCrunch report about the antitrust legal defense of the company?", M).parts == []
    assert analyse("Which company, scrutinized for its antitrust legal defense involving document disclosure, also "
                   "claims that its new generative AI model rivals OpenAI?", M).parts == []


STORED = ["Cnbc | World Business News Leader", "FOX News - Health", "FOX News - Lifestyle", "The Sydney Morning Herald",
          "The New York Times", "BBC News - Technology", "The Guardian", "The Age", "The National",
          "Science News For Students", "The Verge", "Fortune", "CBSSports.com"]


def _named(question, matcher=SourceMatcher(STORED)):
    return [srcs for _, _, srcs in matcher.spans(question)]


def test_publishers_are_found_as_people_write_them():
    assert _named("What did CNBC report about FTX's board?") == [["Cnbc | World Business News Leader"]]
    assert _named("What did Fox News say about prayer?") == [["FOX News - Health", "FOX News - Lifestyle"]]
    assert _named("Did the Sydney Morning Herald and Sydney Morning Herald readers agree?") == [
        ["The Sydney Morning Herald"], ["The Sydney Morning Herald"]]
    assert _named("What did the NYT and the SMH say?") == [["The New York Times"], ["The Sydney Morning Herald"]]
    assert _named("What did the BBC report about the chip?") == [["BBC News - Technology"]]
    assert _named("Did the Guardian and the Age agree?") == [["The Guardian"], ["The Age"]]
    assert _named("Did Science News for Students cover it?") == [["Science News For Students"]]
    # a one-word name without its web domain, and in words; "CBS" alone is another outlet (CBS News)
    assert _named("Did CBS Sports and CBSSports.com agree?") == [["CBSSports.com"], ["CBSSports.com"]]
    assert _named("What did CBS report?") == []
    # the words of a name in a sentence are not the name: each capitalised word has to be capitalised
    assert _named("Was the company on the verge of collapse at the age of 16, worth a fortune?") == []
    # "The National" is not "the National Guard"; one word without "the" is no publisher ("Guardian angels")
    assert _named("What did the National Guard and Guardian angels do?") == []
    assert _named("What did The National report?") == [["The National"]]
    # the setting off (retrieval.source_names_as_written): only the stored names, in the stored case
    stored = SourceMatcher(STORED, as_written=False)
    assert _named("What did CNBC, the NYT, the BBC and the Guardian say?", stored) == []
    assert _named("What did The Guardian and The New York Times say?", stored) == [["The Guardian"], ["The New York Times"]]


def test_an_acronym_followed_by_a_name_is_another_outlet():
    matcher = SourceMatcher(STORED)
    assert _named("What did BBC Sport and BBC Radio 1 report?", matcher) == []
    facets = analyse("According to a BBC Sport article, who won the match?", matcher)
    assert facets.sources == [] and facets.unknown_outlets == ["BBC Sport"]
    facets = analyse("According to a BBC article, who won the match?", matcher)
    assert facets.sources == ["BBC News - Technology"] and facets.unknown_outlets == []
    assert analyse("What did a Washington Post article say?", matcher).unknown_outlets == ["Washington Post"]
