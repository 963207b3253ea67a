"""Synthetic Telegram Desktop exports for tests and benchmarks, with a fixed seed and a
stated mix: 25% launch reports, 25% near misses (alerts, take-offs, crossings into
Belarus, Belarus news, exercises), 50% unrelated chatter; in ru, uk, be and en alike.
Written as a stream: the file can be far larger than memory."""

from __future__ import annotations

import json
import random
from pathlib import Path

LAUNCH = {
    "ru": ["{n} шахедов запущены с территории Беларуси, курс на {ua}",
           "Враг атаковал {ua} ударными БПЛА со стороны Беларуси",
           "Пуски ракет {w} из {ru_gen}, удар по {ua_dat}",
           "Ночью Россия запустила {n} дронов, сбито {m}",
           "Ракеты {w} выпущены с акватории Черного моря"],
    "uk": ["{n} шахедів запущено з території Білорусі, курс на {ua}",
           "Ворог атакував {ua} ударними БпЛА з боку Білорусі",
           "Пуски ракет {w} з {ru_gen_uk}, удар по {ua_dat}",
           "Вночі Росія запустила {n} дронів, збито {m}",
           "Ракети {w} випущені з акваторії Чорного моря"],
    "be": ["{n} шахедаў запушчаныя з тэрыторыі Беларусі, курс на {ua}",
           "Расейцы атакавалі {ua} ударнымі беспілотнікамі з боку Беларусі",
           "Уначы Расія запусціла {n} дронаў, збіта {m}",
           "Ракеты {w} выпушчаныя з акваторыі Чорнага мора"],
    "en": ["{n} Shahed drones were launched from the territory of Belarus toward {ua_en}",
           "Iskander missiles fired from {ru_en}, a strike on {ua_en}",
           "Overnight Russia launched {n} drones, {m} were shot down",
           "Kalibr missiles launched from the Black Sea"],
}
NEAR = {
    "ru": ["Воздушная тревога в {ua_loc}", "Взлет МиГ-31К в Беларуси, угроза ракет", "Два шахеда залетели в Беларусь",
           "В Беларуси начались учения", "Лукашенко встретился с Путиным в Минске"],
    "uk": ["Повітряна тривога в Києві", "Зліт МіГ-31К у Білорусі, загроза ракет", "Два шахеди залетіли в Білорусь",
           "У Білорусі почалися навчання", "Лукашенко зустрівся з Путіним у Мінську"],
    "be": ["Паветраная трывога ў Кіеве", "Узлёт МіГ-31К у Беларусі, пагроза ракет", "Два шахеды заляцелі ў Беларусь",
           "У Беларусі пачаліся вучэнні", "Лукашэнка сустрэўся з Пуціным у Мінску"],
    "en": ["Air raid alert in Kyiv", "MiG-31K took off in Belarus, missile threat", "Two Shaheds flew into Belarus",
           "Belarus began military exercises", "Lukashenko met Putin in Minsk"],
}
CHATTER = {
    "ru": ["погода", "сегодня", "хорошая", "друзья", "подписывайтесь", "на", "канал", "новости", "экономики", "курс", "валют", "футбол", "концерт", "вечером"],
    "uk": ["погода", "сьогодні", "гарна", "друзі", "підписуйтесь", "на", "канал", "новини", "економіки", "курс", "валют", "футбол", "концерт", "ввечері"],
    "be": ["надвор'е", "сёння", "добрае", "сябры", "падпісвайцеся", "на", "канал", "навіны", "эканомікі", "курс", "валют", "футбол", "канцэрт", "увечары"],
    "en": ["weather", "today", "is", "fine", "friends", "subscribe", "to", "the", "channel", "news", "economy", "exchange", "rate", "football", "concert", "tonight"],
}
FILL = {"ua": ["Житомир", "Київ", "Чернігів"], "ua_dat": ["Киеву", "Харькову", "Одессе"],
        "ru_gen": ["Брянской области", "Курской области"], "ru_gen_uk": ["Брянської області", "Курської області"],
        "ru_en": ["Bryansk region", "Kursk region"], "ua_en": ["Kyiv", "Zhytomyr", "Chernihiv"],
        "ua_loc": ["Киеве", "Житомире"], "w": ["Искандер", "Х-101", "Калибр"]}


LETTERS = {"ru": "абвгдежзиклмнопрстуфхцчшыэюя", "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщюя",
           "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя", "en": "abcdefghijklmnopqrstuvwxyz"}


def rare_word(index: int, lang: str) -> str:
    """The index-th word of an open vocabulary: made up, the same for the same index."""
    r = random.Random(index * 4 + "ruukbeen".index(lang) // 2)
    return "".join(r.choice(LETTERS[lang]) for _ in range(r.randint(4, 12)))


def message_text(rng: random.Random, kind: str, lang: str, vocabulary: int = 0,
                 other: random.Random | None = None) -> str:
    """One message of a kind. With `vocabulary`, about a third of a chatter's words are then
    replaced, by draws from `other` (so `rng` draws what it always did), with words of an open
    vocabulary of that many words, the frequent ones far more often (index N**u: about as
    Zipf's law has it), as a large real corpus keeps bringing new words."""
    if kind == "chatter":
        base = CHATTER[lang]
        words = [rng.choice(base) for _ in range(rng.randint(6, 30))]
        if vocabulary:
            other = other or rng
            words = [rare_word(int(vocabulary ** other.random()), lang) if other.random() < 1 / 3 else w
                     for w in words]
        return " ".join(words)
    template = rng.choice((LAUNCH if kind == "launch" else NEAR)[lang])
    n = rng.randint(2, 60)
    values = {k: rng.choice(v) for k, v in FILL.items()}
    return template.format(n=n, m=rng.randint(1, n), **values)


def write_export(path: str | Path, messages: int, seed: int = 7, chat_id: int = 1000001,
                 start_unix: int = 1_700_000_000, vocabulary: int = 0) -> dict[str, int]:
    """Write a one-channel export of `messages` messages; returns the mix written. With
    `vocabulary`, chatter also draws on an open vocabulary (message_text)."""
    rng = random.Random(seed)
    other = random.Random(seed + 1) if vocabulary else None
    mix = {"launch": 0, "near": 0, "chatter": 0}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"name": "Synthetic channel", "type": "public_channel", "id": %d, "messages": [\n' % chat_id)
        for i in range(1, messages + 1):
            r = rng.random()
            kind = "launch" if r < 0.25 else "near" if r < 0.5 else "chatter"
            mix[kind] += 1
            lang = rng.choice(("ru", "uk", "be", "en"))
            text = message_text(rng, kind, lang, vocabulary, other)
            unix = start_unix + i * 60
            msg = {"id": i, "type": "message", "date": "2023-11-14T22:13:20", "date_unixtime": str(unix),
                   "from": "Synthetic channel", "from_id": f"channel{chat_id}", "text": text,
                   "text_entities": [{"type": "plain", "text": text}]}
            fh.write(("," if i > 1 else "") + json.dumps(msg, ensure_ascii=False) + "\n")
        fh.write("]}\n")
    return mix
