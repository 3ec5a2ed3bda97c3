"""The glossary: the words a parent meets on the public pages, in plain English.

Each entry has an anchor (its ``id`` on the page, which the word list in
``kit/templatetags/plain_english.py`` links to), the word as a heading, a
short definition written for a reading age of about 9 to 12, and, where the
meaning comes from the law or official guidance, that source. Entries are
shown in alphabetical order.
"""

from dataclasses import dataclass

CODE_OF_PRACTICE = "https://www.gov.uk/government/publications/send-code-of-practice-0-to-25"
HANDBOOK_2023 = "https://www.gov.uk/government/publications/area-send-framework-and-handbook"
FRAMEWORK_2016 = "https://www.gov.uk/government/publications/local-area-send-inspection-framework"
CHILDREN_AND_FAMILIES_ACT = "https://www.legislation.gov.uk/ukpga/2014/6"
SEND_REGULATIONS = "https://www.legislation.gov.uk/uksi/2014/1530"
SUPPORT_AND_CHALLENGE = (
    "https://www.gov.uk/government/publications/"
    "area-send-inspections-support-and-challenge-following-inspection"
)


@dataclass(frozen=True)
class Source:
    """Where a definition comes from: a title, who published it, and its address."""

    title: str
    publisher: str
    url: str = ""


@dataclass(frozen=True)
class Entry:
    anchor: str
    term: str
    definition: tuple
    sources: tuple = ()


def _handbook(part=""):
    return Source(
        f"Area SEND inspections: framework and handbook{part}", "Ofsted and CQC", HANDBOOK_2023
    )


def _code_of_practice(part=""):
    return Source(
        f"SEND code of practice: 0 to 25 years{part}",
        "Department for Education and Department of Health and Social Care",
        CODE_OF_PRACTICE,
    )


def _act(section):
    return Source(
        f"Children and Families Act 2014, section {section}",
        "legislation.gov.uk",
        f"{CHILDREN_AND_FAMILIES_ACT}/section/{section}",
    )


ENTRIES = (
    Entry(
        "accelerated-progress-plan",
        "Accelerated progress plan (APP)",
        (
            "A plan the Department for Education (DfE) asked for when a revisit found that an "
            "area had not made enough progress. It says what the area will do to get better "
            "faster.",
            "It must be published for families. DfE and NHS England meet the area to check "
            "progress, at least every 6 months.",
        ),
        (
            Source(
                "Answer to a written parliamentary question on special educational needs, May 2021",
                "Department for Education",
                "https://parallelparliament.co.uk/question/6435/special-educational-needs",
            ),
        ),
    ),
    Entry(
        "area-for-improvement",
        "Area for improvement",
        (
            "Something inspectors say the local area partnership should do better. Inspectors "
            "have used these words since January 2023.",
            "It is less serious than an area for priority action.",
        ),
        (_handbook(),),
    ),
    Entry(
        "area-for-priority-action",
        "Area for priority action",
        (
            "A serious problem that inspectors say must be put right urgently. Inspectors have "
            "used these words since January 2023.",
            "It comes only with the lowest inspection result. The partnership must then write "
            "a priority action plan.",
        ),
        (_handbook(),),
    ),
    Entry(
        "area-of-significant-weakness",
        "Area of significant weakness",
        (
            "A serious problem inspectors found in an area’s services for children with SEND. "
            "Inspectors used these words from 2016 to 2022.",
            "If they found any, the area had to write a written statement of action to say "
            "how it would put them right.",
        ),
        (Source("Local area SEND inspection: framework", "Ofsted and CQC", FRAMEWORK_2016),),
    ),
    Entry(
        "area-send-inspection",
        "Area SEND inspection",
        (
            "An inspection by Ofsted and the Care Quality Commission (CQC) of one area. It "
            "checks how well the council, the NHS and their partners work together for "
            "children and young people with SEND.",
            "From 2016 to 2022 these were called joint local area SEND inspections. Since "
            "January 2023 each full inspection ends with one of 3 results. The lowest says "
            "there are widespread or systemic failings.",
        ),
        (_handbook(),),
    ),
    Entry(
        "cqc",
        "Care Quality Commission (CQC)",
        (
            "The independent body that checks health and adult social care services in "
            "England. It inspects an area’s services for children with SEND together with "
            "Ofsted.",
        ),
        (Source("About us", "Care Quality Commission", "https://www.cqc.org.uk/about-us"),),
    ),
    Entry(
        "ccg",
        "Clinical commissioning group (CCG)",
        (
            "An NHS body that planned and paid for local health services. On 1 July 2022, "
            "integrated care boards (ICBs) took over their work.",
        ),
        (
            Source(
                "Health and Care Act 2022",
                "legislation.gov.uk",
                "https://www.legislation.gov.uk/ukpga/2022/31/contents",
            ),
        ),
    ),
    Entry(
        "co-production",
        "Co-production",
        (
            "When families, children and young people work with services as equal partners. "
            "They plan, make and check services together, from the start.",
        ),
    ),
    Entry(
        "dfe",
        "Department for Education (DfE)",
        (
            "The government department in charge of education and children’s services in "
            "England. After an inspection, it checks how the area is getting better. If "
            "services keep failing, it can step in.",
        ),
        (
            Source(
                "Department for Education",
                "GOV.UK",
                "https://www.gov.uk/government/organisations/department-for-education",
            ),
        ),
    ),
    Entry(
        "ehc-needs-assessment",
        "Education, health and care (EHC) needs assessment",
        (
            "A close look by the council at what a child or young person needs, to decide if "
            "they need an EHC plan. A parent, a young person or a school can ask for one.",
            "The council must say within 6 weeks whether it will do the assessment. From the "
            "request to the final plan should take no more than 20 weeks.",
        ),
        (
            _act(36),
            Source(
                "Special Educational Needs and Disability Regulations 2014, regulations 5 and 13",
                "legislation.gov.uk",
                f"{SEND_REGULATIONS}/contents",
            ),
        ),
    ),
    Entry(
        "ehc-plan",
        "Education, health and care (EHC) plan",
        (
            "A legal document for a child or young person, up to age 25, who needs more help "
            "than a school or college can usually give. It says what they need, the help they "
            "must get, and what the help should achieve.",
            "The council must make sure the help with education in the plan is given. Some "
            "people call it an EHCP.",
        ),
        (_act(37), _code_of_practice(", chapter 9")),
    ),
    Entry(
        "graduated-approach",
        "Graduated approach",
        (
            "How a school or nursery gives extra help to a child with special educational "
            "needs. It works in a cycle: assess what the child needs, plan the help, do it, "
            "then review if it worked.",
            "Each time round, the help can change or grow.",
        ),
        (_code_of_practice(", paragraphs 6.44 to 6.56"),),
    ),
    Entry(
        "improvement-board",
        "Improvement board",
        (
            "A group of leaders from the council, the NHS, schools and the parent carer forum. "
            "It meets often to check that the plan is being done and is making a difference. "
            "Advisers from DfE and NHS England often go to its meetings.",
        ),
    ),
    Entry(
        "improvement-notice",
        "Improvement Notice",
        (
            "A letter from a government minister to a council. It says what must get better "
            "and by when. It is not a legal order.",
            "If the council does not improve, the government can give it a statutory "
            "direction. The minister decides when to lift the notice.",
        ),
        (
            Source(
                "Answers to parliamentary questions HL1076 (July 2017) and 4514 (May 2022)",
                "Department for Education",
            ),
        ),
    ),
    Entry(
        "icb",
        "Integrated care board (ICB)",
        (
            "The NHS body that plans and pays for health services in an area. ICBs took over "
            "from clinical commissioning groups (CCGs) on 1 July 2022.",
            "The ICB is in charge of the health part of services for children with SEND.",
        ),
        (
            Source(
                "Area SEND inspections: support and challenge following inspection",
                "Department for Education and NHS England",
                SUPPORT_AND_CHALLENGE,
            ),
        ),
    ),
    Entry(
        "local-area-partnership",
        "Local area partnership",
        (
            "The council, the NHS and other services, such as schools, in one council’s area. "
            "Together they are in charge of services for children and young people with SEND.",
        ),
        (_handbook(),),
    ),
    Entry(
        "local-offer",
        "Local Offer",
        (
            "Information that every council must publish about the help and services for "
            "children and young people with SEND in its area. It says how to get them. It is "
            "usually a website.",
        ),
        (_act(30), _code_of_practice(", chapter 4")),
    ),
    Entry(
        "monitoring-inspection",
        "Monitoring inspection",
        (
            "A shorter inspection by Ofsted and the CQC. It checks what has been done about "
            "each area for priority action. It usually happens about 18 months after the "
            "area gets its inspection report.",
        ),
        (_handbook(),),
    ),
    Entry(
        "nhs-england",
        "NHS England",
        (
            "The national body that leads the NHS in England. It works with DfE to check how "
            "an area is making health services better for children with SEND.",
        ),
        (Source("About NHS England", "NHS England", "https://www.england.nhs.uk/about/"),),
    ),
    Entry(
        "ofsted",
        "Ofsted",
        (
            "The Office for Standards in Education, Children’s Services and Skills. It "
            "inspects schools and children’s services in England. It inspects an area’s "
            "services for children with SEND together with the CQC.",
        ),
        (Source("Ofsted", "GOV.UK", "https://www.gov.uk/government/organisations/ofsted"),),
    ),
    Entry(
        "parent-carer-forum",
        "Parent carer forum",
        (
            "A group of parents and carers of children with SEND in a council’s area. It "
            "works with the council and the NHS so that services meet families’ needs. "
            "Each area has one, paid for by a grant from DfE.",
        ),
    ),
    Entry(
        "priority-action-plan",
        "Priority action plan",
        (
            "The plan an area must write after an inspection with the lowest result. It says "
            "how the area will put right each area for priority action. It must be sent to "
            "the inspectors and published.",
        ),
        (_handbook(),),
    ),
    Entry(
        "revisit",
        "Revisit",
        (
            "From 2016 to 2022, inspectors came back to an area that had to write a written "
            "statement of action. This was usually within 18 months of the plan being judged "
            "fit for purpose.",
            "They said if the area had made enough progress on each weakness.",
        ),
        (
            Source(
                "Guidance for carrying out revisits to local areas required to produce a "
                "written statement of action",
                "Ofsted and CQC",
                "https://www.gov.uk/government/publications/"
                "local-area-send-inspection-guidance-for-inspectors",
            ),
        ),
    ),
    Entry(
        "send-commissioner",
        "SEND commissioner",
        (
            "An expert chosen by the Secretary of State for Education. They oversee a council’s "
            "services for children with SEND and say what must change. They are appointed by a "
            "statutory direction.",
        ),
        (
            Source(
                "Education Act 1996, section 497A",
                "legislation.gov.uk",
                "https://www.legislation.gov.uk/ukpga/1996/56/section/497A",
            ),
        ),
    ),
    Entry(
        "sen",
        "Special educational needs (SEN)",
        (
            "A child or young person with special educational needs needs extra or different "
            "help to learn. It may be because they find learning much harder than others of "
            "their age. Or a disability may make it harder for them to learn.",
        ),
        (_act(20),),
    ),
    Entry(
        "send",
        "Special educational needs and disabilities (SEND)",
        (
            "Special educational needs and disabilities together. Children and young people "
            "with SEND may need extra help to learn, to stay healthy and to take part in "
            "everyday life.",
            "The law covers them from birth to age 25.",
        ),
        (_code_of_practice(),),
    ),
    Entry(
        "senco",
        "Special educational needs co-ordinator (SENCO)",
        (
            "A teacher who makes sure children with special educational needs get the right "
            "help at school. Every mainstream school must have one. Some schools call this "
            "teacher the SENDCo.",
        ),
        (
            _act(67),
            Source(
                "Special Educational Needs and Disability Regulations 2014, regulation 49",
                "legislation.gov.uk",
                f"{SEND_REGULATIONS}/regulation/49",
            ),
        ),
    ),
    Entry(
        "statutory-direction",
        "Statutory direction",
        (
            "A legal order from the Secretary of State for Education. It is used when a "
            "council fails to do its job well enough. It can make the council follow "
            "instructions, or give the work to someone else.",
        ),
        (
            Source(
                "Education Act 1996, section 497A",
                "legislation.gov.uk",
                "https://www.legislation.gov.uk/ukpga/1996/56/section/497A",
            ),
        ),
    ),
    Entry(
        "strategic-plan",
        "Strategic plan",
        (
            "The main plan of the local area partnership to make services for children with "
            "SEND better. After each inspection, Ofsted and the CQC ask for it to be updated "
            "and published.",
        ),
        (_handbook(),),
    ),
    Entry(
        "wsoa",
        "Written statement of action (WSOA)",
        (
            "The plan an area had to write when inspectors found areas of significant "
            "weakness, from 2016 to 2022. The council and the NHS wrote it together.",
            "It had to be ready within 70 working days of getting the inspection report. "
            "Ofsted and the CQC then said if it was fit for purpose.",
        ),
        (
            Source(
                "Children Act 2004 (Joint Area Reviews) Regulations 2015, regulations 3 and 4",
                "legislation.gov.uk",
                "https://www.legislation.gov.uk/uksi/2015/1792/contents/made",
            ),
        ),
    ),
    Entry(
        "you-said-we-did",
        "You said, we did",
        (
            "A way for services to show they listened. It sets out what children, young "
            "people and families told them (you said) and what they changed because of it "
            "(we did).",
        ),
    ),
)

ENTRIES = tuple(sorted(ENTRIES, key=lambda entry: entry.term.casefold()))
BY_ANCHOR = {entry.anchor: entry for entry in ENTRIES}
