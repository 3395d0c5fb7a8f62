-- Base tables: what the stages produce, loaded as they are. Users query the views (views.sql).
CREATE TABLE src_sources (
    source_id VARCHAR PRIMARY KEY,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    status_detail VARCHAR,
    title VARCHAR,
    n_chars INTEGER NOT NULL,  -- length of the text offsets index (source_text)
    format VARCHAR NOT NULL DEFAULT 'text',
    url VARCHAR,
    site_name VARCHAR,
    published DATE,
    retrieved DATE,  -- from the manifest (raw/sources.csv)
    licence VARCHAR
);

CREATE TABLE src_documents (
    source_id VARCHAR PRIMARY KEY,
    source_text VARCHAR NOT NULL,  -- what offsets index: the decoded file, or the text extracted from it
    clean_text VARCHAR NOT NULL
);

CREATE TABLE src_dropped (
    source_id VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);

CREATE TABLE src_mentions (
    mention_id VARCHAR PRIMARY KEY,
    source_id VARCHAR NOT NULL,
    surface VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    polarity VARCHAR NOT NULL,
    named BOOLEAN NOT NULL,
    method VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    polarity_evidence VARCHAR,  -- the sentence, line or heading its polarity was decided in
    polarity_char_start INTEGER,
    polarity_char_end INTEGER,
    cue_char_start INTEGER,  -- the ConText trigger that made it avoid
    cue_char_end INTEGER
);

CREATE TABLE src_exercises (
    exercise_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    aliases VARCHAR[] NOT NULL,
    n_sources INTEGER NOT NULL
);

CREATE TABLE src_links (
    mention_id VARCHAR PRIMARY KEY,
    exercise_id VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL
);

CREATE TABLE src_relations (
    exercise_a VARCHAR NOT NULL,
    exercise_b VARCHAR NOT NULL,
    relation VARCHAR NOT NULL
);

CREATE TABLE src_steps (
    mention_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    step_no INTEGER NOT NULL,
    evidence VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL
);

CREATE TABLE src_dosages (
    mention_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    min_value DOUBLE,
    max_value DOUBLE,
    per_side BOOLEAN NOT NULL,
    approx BOOLEAN NOT NULL,
    evidence VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL
);

CREATE TABLE src_advice (
    source_id VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    stance VARCHAR NOT NULL,
    evidence VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL
);

CREATE TABLE src_conflicts (
    conflict_id VARCHAR PRIMARY KEY,
    exercise_id VARCHAR,
    topic VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    source_a VARCHAR NOT NULL,
    source_b VARCHAR NOT NULL,
    value_a VARCHAR NOT NULL,
    value_b VARCHAR NOT NULL,
    evidence_a VARCHAR NOT NULL,
    evidence_b VARCHAR NOT NULL,
    char_start_a INTEGER NOT NULL,
    char_end_a INTEGER NOT NULL,
    char_start_b INTEGER NOT NULL,
    char_end_b INTEGER NOT NULL,
    also_a VARCHAR[] NOT NULL,  -- other sources that say what source_a says
    also_b VARCHAR[] NOT NULL,
    question VARCHAR,  -- the typed advice question (pipeline/resources/advice_questions.json)
    mention_a VARCHAR,  -- for polarity: the mention source_a's quote is about
    mention_b VARCHAR,
    -- every source on each side: what it says there and its quote (the conflict_sources view)
    sources STRUCT(side VARCHAR, source_id VARCHAR, value VARCHAR, evidence VARCHAR, char_start INTEGER,
                   char_end INTEGER, cue_start INTEGER, cue_end INTEGER, mention_id VARCHAR)[] NOT NULL
);

-- A position per source and typed advice question, with the advice rows it came from (pipeline/positions.py).
CREATE TABLE src_positions (
    source_id VARCHAR NOT NULL,
    question VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    position VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    evidence VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    rows STRUCT(topic VARCHAR, stance VARCHAR, answer VARCHAR, reading VARCHAR, evidence VARCHAR,
                char_start INTEGER, char_end INTEGER)[] NOT NULL,
    PRIMARY KEY (source_id, question)
);

CREATE TABLE src_reviews (
    conflict_id VARCHAR PRIMARY KEY,
    verdict VARCHAR NOT NULL,
    note VARCHAR,
    reviewed_at VARCHAR
);

CREATE TABLE build_info (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
