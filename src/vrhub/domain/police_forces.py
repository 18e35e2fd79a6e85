"""The police forces that publish on data.police.uk: their ids (as in file names and the API) and names.

Source: data.police.uk API, ``/api/forces`` (id and name of each of the 43 territorial forces of England and Wales,
British Transport Police and the Police Service of Northern Ireland). police.uk's stop-and-search files carry no
force column: the force is the id in the file name (``2018-10-metropolitan-stop-and-search.csv``), while street and
outcomes files name it in ``Falls within`` (``Metropolitan Police Service``).
"""

from __future__ import annotations

import re

FORCES: dict[str, str] = {
    "avon-and-somerset": "Avon and Somerset Constabulary",
    "bedfordshire": "Bedfordshire Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
    "btp": "British Transport Police",
    "northern-ireland": "Police Service of Northern Ireland",
}
_BY_NAME = {name.casefold(): force_id for force_id, name in FORCES.items()}
# longest first, so that "west-midlands" is found before a shorter id it contains
_ID_IN_TEXT = re.compile(r"(?<![a-z])(" + "|".join(sorted(map(re.escape, FORCES), key=len, reverse=True))
                         + r")(?![a-z])")


def force_id(name: str) -> str | None:
    """The police.uk id of a force given by its id or its published name (``Kent Police`` → ``kent``)."""
    text = name.strip().casefold()
    return text if text in FORCES else _BY_NAME.get(text)


def force_ids_in(text: str) -> set[str]:
    """The police.uk force ids that appear as words in a file or folder name (``kent/2019``, ``met-kent.zip``)."""
    return set(_ID_IN_TEXT.findall(text.casefold().replace("_", "-").replace(" ", "-")))
