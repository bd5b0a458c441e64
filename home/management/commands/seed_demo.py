"""Build the demo centre: four courses, two teachers, two weeks of classes and a
login for every role. Running it again changes nothing."""

import io
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files import File
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.documents import get_document_model
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Site
from wagtail.rich_text import RichText

from classes.courses.join_cards import join_url
from classes.groups.services import group_for_course
from classes.models import (
    Audience,
    AvailabilityException,
    AvailabilitySlot,
    ClassSession,
    CourseCategory,
    CourseIndexPage,
    CourseMaterial,
    CourseNeed,
    CoursePage,
    DeviceKind,
    Enrolment,
    ExceptionKind,
    JoinLink,
    Learner,
    Level,
    Room,
    SeatPool,
    SessionMode,
    Teacher,
    Term,
    TermHoliday,
)
from classes.notifications.services import reminders_schedule
from core.roles import COORDINATORS, TEACHERS, VOLUNTEERS, roles_ensure
from classes.courses.services import enrolment_create
from classes.courses.join_links import join_link_ensure, join_link_token
from home.models import HomePage
from volunteers.models import HelpRequest, HelpSource, Initiative, SetupSlot, Volunteer, VolunteerStatus
from classes.courses.people import course_person
from volunteers.models import LearnerWork, WorkConsent
from volunteers.services.works import work_approve, work_upload

# Demo passwords are printed on purpose: this is sample data for trying the site.
DEMO_STAFF = [
    # username, password, name, group
    ("coordinator", "demo-coordinator", "张协调", COORDINATORS),
    ("teacher_wang", "demo-teacher", "王书华", TEACHERS),
    ("teacher_li", "demo-teacher", "李安妮", TEACHERS),
    ("volunteer", "demo-volunteer", "陈小雨", VOLUNTEERS),
]

DEMO_TEACHERS = [
    # username, name, bio, photo colour
    ("teacher_wang", "王书华", "退休中学语文教师，练习书法和国画四十年。", (138, 28, 28)),
    ("teacher_li", "李安妮", "社区英语志愿教师，也教孩子们画画。", (10, 79, 138)),
]

DEMO_CATEGORIES = [("书法", "calligraphy"), ("国画", "painting"), ("少儿国画", "children-painting"), ("英语", "english")]

DEMO_COURSES = [
    # title, slug, category slug, teacher usernames, audience, summary, weekday, hour
    ("爱尚书法", "calligraphy", "calligraphy", ["teacher_wang"], Audience.SENIORS,
     "从握笔和基本笔画开始，一笔一画写好楷书。老师在镜头前示范，您在家跟着写。", 0, 9),
    ("国画兴趣班", "chinese-painting", "painting", ["teacher_wang"], Audience.SENIORS,
     "学画兰、竹、梅，了解墨色浓淡。每周完成一幅小作品，在学习群里分享。", 2, 14),
    ("少儿国画班", "children-painting", "children-painting", ["teacher_li"], Audience.CHILDREN,
     "为七到十二岁的孩子开设，用毛笔和颜色画出身边的故事。请家长陪同上第一次课。", 5, 10),
    ("学会ABC", "learn-abc", "english", ["teacher_li"], Audience.SENIORS,
     "从字母和日常问候学起，慢慢说，多练习。配有中英双语对话材料。", 1, 19),
]

# 学会ABC's bilingual dialogue: a volunteer helps a visitor from abroad.
DEMO_DIALOGUE_COURSE = "learn-abc"
DEMO_DIALOGUE_TITLE = "我是一位志愿者"
DEMO_DIALOGUE = [
    # speaker, Chinese, pinyin, English
    ("志愿者 Volunteer", "您好！我是社区志愿者。有什么可以帮您的吗？",
     "Nín hǎo! Wǒ shì shèqū zhìyuànzhě. Yǒu shénme kěyǐ bāng nín de ma?",
     "Hello! I'm a community volunteer. Can I help you?"),
    ("游客 Visitor", "你好！请问，社区图书馆怎么走？",
     "Nǐ hǎo! Qǐngwèn, shèqū túshūguǎn zěnme zǒu?",
     "Hi! Excuse me, how do I get to the community library?"),
    ("志愿者 Volunteer", "一直往前走，到路口向左转，就在银行旁边。",
     "Yìzhí wǎng qián zǒu, dào lùkǒu xiàng zuǒ zhuǎn, jiù zài yínháng pángbiān.",
     "Go straight on and turn left at the crossing. It's next to the bank."),
    ("游客 Visitor", "远吗？走路要多长时间？",
     "Yuǎn ma? Zǒulù yào duō cháng shíjiān?",
     "Is it far? How long does it take to walk there?"),
    ("志愿者 Volunteer", "不远，走路五分钟就到。我带您去吧。",
     "Bù yuǎn, zǒulù wǔ fēnzhōng jiù dào. Wǒ dài nín qù ba.",
     "Not far, just five minutes on foot. Let me take you there."),
    ("游客 Visitor", "太好了，谢谢您！",
     "Tài hǎo le, xièxie nín!",
     "That's great. Thank you!"),
    ("志愿者 Volunteer", "不客气，欢迎来我们社区！",
     "Bú kèqi, huānyíng lái wǒmen shèqū!",
     "You're welcome. Welcome to our community!"),
]

DEMO_LEARNERS = [
    # name, phone, birth year, guardian name, guardian phone, device, needs help, [(course slug, seat)]
    ("刘桂兰", "13800138001", 1952, "", "", DeviceKind.SMARTPHONE, False,
     [("calligraphy", SeatPool.ONLINE), ("learn-abc", SeatPool.ONLINE)]),
    ("赵建国", "13800138002", 1949, "", "", DeviceKind.SMARTPHONE, True,
     [("learn-abc", SeatPool.ONLINE), ("chinese-painting", SeatPool.ONLINE)]),
    ("孙秀英", "13800138003", 1955, "", "", DeviceKind.NONE, True, [("chinese-painting", SeatPool.CENTRE)]),
    ("周明", "13800138004", 1960, "", "", DeviceKind.TABLET, False, [("learn-abc", SeatPool.ONLINE)]),
    ("吴小宝", "13800138005", 2016, "吴丽", "13900139005", DeviceKind.TABLET, False,
     [("children-painting", SeatPool.ONLINE)]),
]

DEMO_ROOMS = [("多功能厅", 12), ("书画室", 16)]

# Teachers' weekly free time: (username, weekday, from, until). It covers the demo classes.
DEMO_FREE_TIME = [
    ("teacher_wang", 0, time(8, 30), time(12)),
    ("teacher_wang", 2, time(13, 30), time(17)),
    ("teacher_wang", 3, time(9), time(11, 30)),
    ("teacher_li", 1, time(18, 30), time(21)),
    ("teacher_li", 3, time(18, 30), time(21)),
    ("teacher_li", 5, time(9), time(12)),
]

# Next term, not yet planned: what each course needs, for the timetable planner.
# (course slug, teacher, classes a week, minutes, preferred from, until, where, room)
DEMO_NEXT_TERM_NEEDS = [
    ("calligraphy", "teacher_wang", 2, 90, time(9), time(11, 30), SessionMode.ONLINE, None),
    ("chinese-painting", "teacher_wang", 1, 120, time(14), time(16), SessionMode.BOTH, "书画室"),
    ("children-painting", "teacher_li", 1, 90, time(9), time(11), SessionMode.ONLINE, None),
    ("learn-abc", "teacher_li", 2, 60, time(19), time(20, 30), SessionMode.ONLINE, None),
]

# A date of next term that differs from 王书华's weekly free time: away on the third Thursday
# (a meeting at the district), free instead that Friday morning. The planner moves that week's
# calligraphy class there. (days after the term's first Monday, kind, from, until, note)
DEMO_NEXT_TERM_CHANGES = [
    (17, ExceptionKind.AWAY, None, None, "去区里开会"),
    (18, ExceptionKind.EXTRA, time(9), time(11, 30), "补课"),
]

# Staggered setup visits at the centre (错时到中心): three half-hour times a day, for three days.
DEMO_SETUP_DAYS = 3
DEMO_SETUP_TIMES = [time(9, 30), time(10, 0), time(10, 30)]

# Two weeks of classes from the Monday of this week, so the home page always has some.
# The demo's downloads on 学会ABC: (button text, letters drawn on the page, for its learners only).
DEMO_MATERIALS = [("字母表讲义", "A B C D E F G", False), ("第一课练习纸", "Hello!  Hi!", True)]

DEMO_WEEKS = 2
DEMO_SESSION_MINUTES = 60
DEMO_TERM_WEEKS = 12


class Command(BaseCommand):
    help = "Load the demo centre: courses, teachers, two weeks of classes and demo logins. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        home = self.home_page()
        roles_ensure()
        if not home.introduction:
            home.introduction = "社区兴趣课堂搬到了网上。点开链接或扫一扫课程卡上的二维码，不用下载、不用密码，就能上课。"
            home.save_revision().publish()

        users = {username: self.staff_user(username, password, name, group)
                 for username, password, name, group in DEMO_STAFF}
        teachers = {username: self.teacher(username, name, bio, colour, users[username])
                    for username, name, bio, colour in DEMO_TEACHERS}
        categories = {slug: CourseCategory.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": i})[0]
                      for i, (name, slug) in enumerate(DEMO_CATEGORIES)}

        index = CourseIndexPage.objects.first()
        if index is None:
            index = home.add_child(instance=CourseIndexPage(
                title="课程", slug="courses", introduction="选一门喜欢的课，每周在家跟着老师学。"))
            index.save_revision().publish()

        monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        for title, slug, category, teacher_names, audience, summary, weekday, hour in DEMO_COURSES:
            course = self.course(index, title, slug, categories[category], [teachers[t] for t in teacher_names],
                                 audience, summary, monday)
            if slug == DEMO_DIALOGUE_COURSE:
                self.dialogue(course)
            for week in range(DEMO_WEEKS):
                day = monday + timedelta(weeks=week, days=weekday)
                starts_at = timezone.make_aware(datetime.combine(day, time(hour)))
                session, created = ClassSession.objects.get_or_create(
                    course=course, starts_at=starts_at,
                    defaults={"duration_minutes": DEMO_SESSION_MINUTES, "mode": SessionMode.ONLINE},
                )
                if created:
                    reminders_schedule(sessions=[session])

        for name, phone, birth_year, guardian_name, guardian_phone, device, needs_help, seats in DEMO_LEARNERS:
            learner, _created = Learner.objects.get_or_create(phone=phone, defaults={
                "name": name, "birth_year": birth_year, "guardian_name": guardian_name,
                "guardian_phone": guardian_phone, "device": device, "needs_help": needs_help})
            for slug, pool in seats:
                course = CoursePage.objects.get(slug=slug)
                if not Enrolment.objects.filter(learner=learner, course=course).exists():
                    enrolment_create(learner=learner, course=course, pool=pool)
                join_link_ensure(course=course, learner=learner)
        for teacher in teachers.values():
            for course in teacher.courses.all():
                join_link_ensure(course=course, teacher=teacher)

        self.course_materials(CoursePage.objects.get(slug="learn-abc"))
        self.timetable(teachers, monday)
        self.volunteering(users["volunteer"], place="多功能厅")
        self.learner_works(users)
        self.print_logins()

    def timetable(self, teachers, monday):
        """Rooms, the teachers' free time, and next term's course needs, ready for the planner."""
        rooms = {name: Room.objects.get_or_create(name=name, defaults={"capacity": capacity})[0]
                 for name, capacity in DEMO_ROOMS}
        for username, weekday, starts, ends in DEMO_FREE_TIME:
            AvailabilitySlot.objects.get_or_create(teacher=teachers[username], weekday=weekday, starts=starts, ends=ends)
        if Term.objects.exists():
            return
        starts_on = monday + timedelta(weeks=DEMO_TERM_WEEKS)
        term = Term.objects.create(name="新学期", starts_on=starts_on,
                                   ends_on=starts_on + timedelta(weeks=DEMO_TERM_WEEKS) - timedelta(days=1))
        TermHoliday.objects.create(term=term, date=starts_on + timedelta(weeks=4), name="社区活动日")
        for days, kind, starts, ends, note in DEMO_NEXT_TERM_CHANGES:
            AvailabilityException.objects.create(teacher=teachers["teacher_wang"], date=starts_on + timedelta(days=days),
                                                 kind=kind, starts=starts, ends=ends, note=note)
        for order, (slug, teacher, per_week, minutes, preferred_from, preferred_to, mode, room) in enumerate(
            DEMO_NEXT_TERM_NEEDS
        ):
            CourseNeed.objects.create(
                term=term, course=CoursePage.objects.get(slug=slug), teacher=teachers[teacher], sort_order=order,
                sessions_per_week=per_week, duration_minutes=minutes, preferred_from=preferred_from,
                preferred_to=preferred_to, mode=mode, room=rooms.get(room),
            )

    def volunteering(self, volunteer_user, place):
        """The demo volunteer's profile, a help request waiting for a call, setup visit
        times at the centre in the coming days, and one initiative."""
        Volunteer.objects.get_or_create(user=volunteer_user, defaults={
            "name": "陈小雨", "phone": "13700137001", "phone_guidance": True, "in_person_setup": True,
            "english": True, "availability": "工作日晚上，周六上午", "status": VolunteerStatus.APPROVED,
        })
        # A volunteer helps the courses a coordinator gives them (classes.courses.people):
        # 陈小雨 helps 国画兴趣班, so its class rooms and learning group are open to her.
        group_for_course(course=CoursePage.objects.get(slug="chinese-painting")).volunteers.add(volunteer_user)
        zhao = Learner.objects.get(phone="13800138002")
        if not HelpRequest.objects.filter(learner=zhao).exists():
            HelpRequest.objects.create(
                learner=zhao, course=CoursePage.objects.get(slug="learn-abc"), source=HelpSource.LEARNER,
                note="不知道怎么打开摄像头。",
            )
        if not SetupSlot.objects.exists():
            first_day = timezone.localdate() + timedelta(days=1)
            for day in range(DEMO_SETUP_DAYS):
                for starts in DEMO_SETUP_TIMES:
                    SetupSlot.objects.create(
                        starts_at=timezone.make_aware(datetime.combine(first_day + timedelta(days=day), starts)),
                        minutes=30, capacity=3, place=place, volunteer=volunteer_user,
                    )
        Initiative.objects.get_or_create(title="为医护人员画一幅画", defaults={
            "summary": "用一幅画感谢守护社区的医护人员。画好后拍照发到学习群，我们会把大家的画一起送到社区医院。",
            "how_to_take_part": "国画兴趣班和少儿国画班的学员都可以参加。",
            "course": CoursePage.objects.get(slug="chinese-painting"),
            "published": True,
        })

    def learner_works(self, users):
        """Approved works in the galleries, drawn here: a child's for 致敬白衣天使 (the guardian
        agreed at the centre, on paper), and two of 爱尚书法."""
        children = CoursePage.objects.get(slug="children-painting")
        angels, _created = Initiative.objects.get_or_create(title="致敬白衣天使", defaults={
            "summary": "画一幅画，向守护我们的医生和护士说一声谢谢。",
            "how_to_take_part": "少儿国画班的小朋友请家长拍照上传作品。",
            "course": children, "published": True,
        })
        calligraphy = CoursePage.objects.get(slug="calligraphy")
        for token, course, teacher, phone, title, shown_as, drawing, initiative in (
            ("demo-work-angels", children, "teacher_li", "13800138005", "谢谢医生护士", "吴同学",
             self.drawing_heart, angels),
            ("demo-work-calligraphy-1", calligraphy, "teacher_wang", "13800138001", "春风", "刘同学",
             self.drawing_calligraphy, None),
            ("demo-work-calligraphy-2", calligraphy, "teacher_wang", "13800138001", "福", "刘同学",
             self.drawing_fu, None),
        ):
            if LearnerWork.objects.filter(upload_token=token).exists():
                continue
            teacher_person = course_person(course=course, learner=None, user=users[teacher])
            learner = Learner.objects.get(phone=phone)
            buffer = io.BytesIO()
            drawing().save(buffer, format="PNG")
            buffer.seek(0)
            upload = ImageFile(buffer, name=f"{token}.png")
            work, _created = work_upload(uploader=teacher_person, learner=learner, title=title, display_name=shown_as,
                                         picture=upload, initiative=initiative, adult_agreed=True, upload_token=token)
            if work.is_child:
                LearnerWork.objects.filter(pk=work.pk).update(
                    consent=WorkConsent.GIVEN, consent_guardian_name=learner.guardian_name,
                    consent_at=timezone.now(), consent_how="signed a consent form at the centre")
                work.refresh_from_db()
            work_approve(work=work, by=teacher_person)

    def drawing_heart(self):
        picture = PILImage.new("RGB", (900, 700), (250, 244, 230))
        draw = ImageDraw.Draw(picture)
        draw.ellipse((210, 150, 460, 400), fill=(200, 30, 40))
        draw.ellipse((440, 150, 690, 400), fill=(200, 30, 40))
        draw.polygon([(222, 320), (678, 320), (450, 610)], fill=(200, 30, 40))
        draw.rectangle((420, 220, 480, 440), fill=(255, 255, 255))
        draw.rectangle((340, 300, 560, 360), fill=(255, 255, 255))
        return picture

    def drawing_calligraphy(self):
        picture = PILImage.new("RGB", (600, 1000), (240, 230, 205))
        draw = ImageDraw.Draw(picture)
        for x in (180, 400):
            for y in range(120, 880, 190):
                draw.line((x - 60, y, x + 60, y + 20), fill=(25, 25, 25), width=22)
                draw.line((x, y - 40, x - 10, y + 110), fill=(25, 25, 25), width=26)
        draw.rectangle((470, 880, 530, 940), fill=(180, 30, 30))
        return picture

    def drawing_fu(self):
        picture = PILImage.new("RGB", (800, 800), (180, 25, 30))
        draw = ImageDraw.Draw(picture)
        draw.polygon([(400, 60), (740, 400), (400, 740), (60, 400)], fill=(215, 45, 45))
        for box in ((250, 250, 380, 280), (300, 280, 330, 560), (420, 260, 560, 290), (430, 330, 550, 460),
                    (420, 500, 560, 560)):
            draw.rectangle(box, fill=(20, 20, 20))
        return picture

    def home_page(self):
        """The site's home page; rebuilt if the page tree was emptied (as a test flush does)."""
        home = HomePage.objects.first()
        if home is not None:
            return home
        locale, _created = Locale.objects.get_or_create(language_code=get_supported_content_language_variant(
            settings.LANGUAGE_CODE))
        root = Page.get_first_root_node() or Page.add_root(title="Root", locale=locale)
        home = root.add_child(instance=HomePage(title="社区课堂", slug="home", locale=locale))
        Site.objects.update_or_create(is_default_site=True, defaults={
            "hostname": "localhost", "root_page": home, "site_name": "社区课堂"})
        return home

    def staff_user(self, username, password, name, group_name):
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        return user

    def teacher(self, username, name, bio, colour, user):
        teacher = Teacher.objects.filter(user=user).first()
        if teacher is None:
            teacher = Teacher.objects.create(name=name, bio=bio, user=user, photo=self.portrait(name, colour))
        return teacher

    def course_materials(self, course):
        """A handout anyone may download and a worksheet only the course's learners may, as
        small PDFs drawn here, so the demo needs no files."""
        if course.materials.exists():
            return
        draft = course.get_latest_revision_as_object()
        for order, (title, letters, learners_only) in enumerate(DEMO_MATERIALS):
            draft.materials.add(CourseMaterial(
                sort_order=order, title=title, learners_only=learners_only, document=self.demo_pdf(title, letters),
                description="打印出来，跟着老师读。" if not learners_only else "上课时要用，请提前打印。",
            ))
        draft.save_revision().publish()

    def demo_pdf(self, title, letters):
        page = PILImage.new("RGB", (595, 842), (255, 255, 255))  # A4 at 72 dpi
        ImageDraw.Draw(page).text((60, 80), letters, fill=(0, 0, 0), font=ImageFont.load_default(size=96))
        buffer = io.BytesIO()
        page.save(buffer, "PDF")
        document = get_document_model().objects.create(
            title=title, file=File(buffer, name=f"demo-{letters[0].lower()}.pdf"), file_size=buffer.tell())
        document.get_file_hash()  # the view's ETag: one file's cached copy never answers for another
        return document

    def portrait(self, name, colour):
        """A simple drawn portrait, so the demo needs no photo files."""
        title = f"{name}（示例照片）"
        existing = Image.objects.filter(title=title).first()
        if existing:
            return existing
        picture = PILImage.new("RGB", (480, 480), (251, 247, 240))
        draw = ImageDraw.Draw(picture)
        draw.ellipse((140, 70, 340, 270), fill=colour)
        draw.ellipse((60, 290, 420, 650), fill=colour)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        return Image.objects.create(title=title, file=ImageFile(buffer, name=f"teacher-{colour[0]}.png"))

    def course(self, index, title, slug, category, teachers, audience, summary, monday):
        course = CoursePage.objects.filter(slug=slug).first()
        if course is not None:
            return course
        course = CoursePage(
            title=title, slug=slug, category=category, audience=audience, level=Level.BEGINNER, summary=summary,
            term_start=monday, term_end=monday + timedelta(weeks=DEMO_TERM_WEEKS) - timedelta(days=1),
            online_seats=24, centre_seats=12,
            body=[
                ("heading", "每次课怎么上"),
                ("paragraph", RichText("<p>上课前十分钟点开链接，先听一听声音。老师示范时您可以只看不说；"
                                       "想提问就点“举手”，老师会请您说话。</p>")),
                ("heading", "需要准备"),
                ("paragraph", RichText("<ul><li>一部手机或平板</li><li>课上用到的纸笔</li></ul>")),
            ],
        )
        course.teachers = teachers
        index.add_child(instance=course)
        course.save_revision().publish()
        return course

    def dialogue(self, course):
        """学会ABC's dialogue, added to a demo course seeded before there were dialogues too."""
        if any(block.block_type == "dialogue" for block in course.body):
            return
        course.body.append(("dialogue", {"title": DEMO_DIALOGUE_TITLE, "lines": [
            {"speaker": speaker, "chinese": chinese, "pinyin": pinyin, "english": english}
            for speaker, chinese, pinyin, english in DEMO_DIALOGUE
        ]}))
        course.save_revision().publish()

    def print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write("Sign in at /admin/ (coordinators) or on the site (teachers, volunteers):")
        for username, password, name, group in DEMO_STAFF:
            self.stdout.write(f"  {group:<13} {username:<14} password: {password:<18} ({name})")
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write("Demo learners and teachers: no password, each opens a personal join link:")
        links = JoinLink.objects.filter(revoked_at__isnull=True).select_related("course", "learner", "teacher")
        for link in links.order_by("teacher", "learner__phone", "course__path"):
            who = link.learner or link.teacher
            url = join_url(base=base, token=join_link_token(link=link))
            self.stdout.write(f"  {who.name:<4} {link.course.title:<6} {url}")
