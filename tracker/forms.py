"""Forms for the action page. They check input shape; the workflow module checks the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from tracker.models import Action, Recommendation, User

UK_DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]


# Longer searches are refused beside the box: SQLite cannot match a pattern of more than 50,000 bytes.
SEARCH_MAX_LENGTH = 200
# The ids a database column can hold: SQLite cannot even look up a larger one (OverflowError, a 500).
ID_RANGE = (-(2**63), 2**63 - 1)


class ModelChoicesField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, taking an id past a 64-bit integer as the invalid choice it is."""

    def _check_values(self, value):
        for given in value:
            try:
                number = int(str(given))
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if not ID_RANGE[0] <= number <= ID_RANGE[1]:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": given}
                )
        return super()._check_values(value)


class GovukDateInput(forms.DateInput):
    """A text date input in the UK order, so the browser's locale cannot turn it into month/day."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric", **(attrs or {})},
            format="%d/%m/%Y",
        )


class QuickSelect(forms.Select):
    """A select with Django's markup, built in Python: a long list (every owner) costs no template per option."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if str(option) in chosen else ""}>{escape(label)}</option>'
            for option, label in self.choices
            if not isinstance(label, (list, tuple))  # no option groups here
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe(options))  # noqa: S308


class PageForm(forms.Form):
    """A form that shares its page with others: ids carry the form's own prefix, so each label names its field."""

    id_prefix = "form"
    words_field = ""  # the field holding what the user wrote, kept for them if this form is no longer on offer

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def typed_words(self) -> str:
        """Return what the user wrote in this form as submitted, exactly as typed ("" when nothing)."""
        if not (self.is_bound and self.words_field):
            return ""
        return (self[self.words_field].value() or "").strip()


class VersionedForm(PageForm):
    """A form posted from an action page, carrying the version of the action the user saw."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": "Reload the page and try again: it was sent without the action's version"},
    )


class TransitionForm(VersionedForm):
    id_prefix = "transition"
    words_field = "text"

    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        max_length=10_000,
    )
    # Verifying only: a demonstration period before the action is closed for good.
    recheck_on = forms.DateField(
        label="Check again on (optional)",
        help_text="To see that the fix has lasted: on this date the action comes back to the review queue. "
        "For example, 30/09/2027",
        required=False,
        widget=GovukDateInput,
        input_formats=UK_DATE_INPUT_FORMATS,
        error_messages={"invalid": "Enter the check-again date as day/month/year, for example 30/09/2027."},
    )

    def __init__(self, *args, transition=None, **kwargs):
        if transition is not None:
            kwargs.setdefault("auto_id", f"id_{transition.name}_%s")
        super().__init__(*args, **kwargs)
        self.transition = transition
        if transition is None or transition.name != "verify":
            del self.fields["recheck_on"]
        if transition is not None:
            self.fields["text"].label = transition.text_label or "Note"
            self.fields["text"].required = transition.text_required
            if transition.text_missing:
                self.fields["text"].error_messages["required"] = transition.text_missing

    @property
    def date_fields(self) -> list[forms.BoundField]:
        """Return the transition's own date fields after its text (verifying: the check-again date)."""
        return [self["recheck_on"]] if "recheck_on" in self.fields else []


class RecheckForm(VersionedForm):
    """A reviewer's re-check of a verified action: the fix has lasted (reopening is the reopen transition)."""

    id_prefix = "recheck"
    words_field = "text"

    text = forms.CharField(
        label="What you checked (optional)",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
        max_length=10_000,
    )


ALLOWED_EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class NoteForm(PageForm):
    id_prefix = "note"

    text = forms.CharField(
        label="Progress note",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        max_length=10_000,
        error_messages={"required": "Enter the progress note"},
    )
    attachment = forms.FileField(
        label="Evidence file (optional)",
        required=False,
        help_text="PDF, Word, Excel, OpenDocument, CSV, text or image; up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in ALLOWED_EVIDENCE_TYPES:
            raise forms.ValidationError(
                "The evidence file must be a PDF, Word, Excel, OpenDocument, CSV, text or image file."
            )
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                f"The evidence file must be smaller than {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB."
            )
        # The browser's claimed type is not trusted: the type is fixed by the (checked) extension.
        upload.content_type = ALLOWED_EVIDENCE_TYPES[suffix]
        return upload


class ExtensionRequestForm(PageForm):
    id_prefix = "extension"
    words_field = "reason"

    requested_due_date = forms.DateField(
        label="Revised due date",
        help_text="For example, 30/09/2026",
        widget=GovukDateInput,
        input_formats=UK_DATE_INPUT_FORMATS,
        error_messages={
            "required": "Enter the revised due date",
            "invalid": "Enter the revised due date as day/month/year, for example 30/09/2026.",
        },
    )
    reason = forms.CharField(
        label="Why the current due date cannot be met",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        max_length=5_000,
        error_messages={"required": "Enter why the current due date cannot be met"},
    )


class ExtensionDecisionForm(PageForm):
    id_prefix = "decision"
    words_field = "reason"

    decision = forms.ChoiceField(
        choices=[("approve", "Approve the revised due date"), ("refuse", "Refuse")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Select whether to approve or refuse the revised due date"},
    )
    reason = forms.CharField(
        label="Reason (required when refusing)",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
        max_length=5_000,
    )


class OwnerForm(VersionedForm):
    id_prefix = "owner"

    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(forces=action.force_id, is_active=True).order_by(
            "first_name", "last_name", "username"
        )


class ThemeRenameForm(PageForm):
    id_prefix = "rename"

    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the theme's title"})
    canonical_wording = forms.CharField(
        label="Canonical wording", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000
    )


class ThemeMergeForm(PageForm):
    id_prefix = "merge"

    other = forms.ModelChoiceField(
        queryset=None,
        label="Theme to merge into this one",
        empty_label="Choose a theme",
        to_field_name="pk",
        error_messages={"required": "Select the theme to merge into this one"},
    )

    def __init__(self, *args, theme, **kwargs):
        from tracker.models import Theme

        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = Theme.objects.exclude(pk=theme.pk).order_by("title")


class ThemeSplitForm(PageForm):
    id_prefix = "split"

    recommendations = ModelChoicesField(
        queryset=None,
        label="Recommendations to split into a new theme",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the recommendations to split into a new theme"},
    )
    title = forms.CharField(label="Title of the new theme (optional)", required=False, max_length=200)

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["recommendations"]
        field.queryset = theme.recommendations.select_related("report__subject_force").order_by(
            "report__title", "number"
        )
        field.label_from_instance = lambda r: (
            f"{r.report.subject_force or 'National'}: {r.report.title}, recommendation {r.number}"
        )


class RagForm(VersionedForm):
    id_prefix = "rag"
    words_field = "reason"

    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[
            (Action.Rag.RED, "Red – will not be done on time"),
            (Action.Rag.AMBER, "Amber – at risk"),
            (Action.Rag.GREEN, "Green – on track"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG rating"},
    )
    reason = forms.CharField(
        label="Reason, in one line", max_length=200, error_messages={"required": "Enter the reason for the rating"}
    )


class PublishForm(PageForm):
    id_prefix = "publish"

    publishable = forms.TypedChoiceField(choices=[("1", "Publish"), ("0", "Unpublish")], coerce=lambda v: v == "1")


class PriorityForm(PageForm):
    id_prefix = "priority"

    priority = forms.TypedChoiceField(choices=[("1", "Flag"), ("0", "Unflag")], coerce=lambda v: v == "1")
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500)


class RecurrenceForm(PageForm):
    id_prefix = "recurrence"

    earlier = forms.ModelChoiceField(
        queryset=None, required=False, label="Earlier recommendation", empty_label="None (remove the link)"
    )
    kind = forms.ChoiceField(
        label="This recommendation",
        choices=[(kind, f"{kind.label.lower()} it") for kind in Recommendation.FollowKind],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, recommendation, force, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["earlier"]
        # Earlier recommendations made to the same force, from other reports.
        field.queryset = (
            Recommendation.objects.filter(actions__force=force)
            .exclude(report=recommendation.report_id)
            .select_related("report")
            .order_by("-report__published_on", "report__title", "number")
            .distinct()
        )
        field.label_from_instance = lambda r: (
            f"{r.report.title} ({r.report.published_on:%Y}), recommendation {r.number}"
        )


class BulkActionForm(PageForm):
    id_prefix = "bulk"

    OPERATIONS = [
        ("owner", "Set the owner"),
        ("publish", "Publish on the public register"),
        ("unpublish", "Remove from the public register"),
        ("priority", "Flag as priority"),
        ("unpriority", "Remove the priority flag"),
    ]
    actions = ModelChoicesField(
        queryset=None, widget=forms.MultipleHiddenInput, error_messages={"required": "Tick at least one action"}
    )
    operation = forms.ChoiceField(
        label="Change", choices=OPERATIONS, error_messages={"required": "Select the change to make"}
    )
    owner = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner", empty_label="Nobody", widget=QuickSelect
    )

    def __init__(self, *args, actions, **kwargs):
        from tracker.models import User

        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = actions
        self.fields["owner"].queryset = User.objects.filter(is_active=True, role=User.Role.PSD_LEAD).order_by(
            "first_name", "last_name", "username"
        )


class ResponseVersionedForm(VersionedForm):
    """A form posted from a commissioner's response page, carrying the version of the response the user saw."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = (
            "Reload the page and try again: it was sent without the response's version"
        )


class InviteCommentsForm(ResponseVersionedForm):
    """The commissioner's office asks for the chief officer's comments by a date."""

    id_prefix = "invite"

    comments_due_on = forms.DateField(
        label="Chief officer's comments wanted by",
        help_text="The force's PSD lead writes them here. For example, 30/09/2026",
        widget=GovukDateInput,
        input_formats=UK_DATE_INPUT_FORMATS,
        error_messages={
            "required": "Enter the date the chief officer's comments are wanted by",
            "invalid": "Enter the date as day/month/year, for example 30/09/2026.",
        },
    )


class ChiefOfficerCommentsForm(ResponseVersionedForm):
    """The chief officer's comments on the report, written by the force's PSD lead."""

    id_prefix = "chief"
    words_field = "text"

    text = forms.CharField(
        label="The chief officer's comments",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 8}),
        max_length=50_000,
        error_messages={"required": "Enter the chief officer's comments"},
    )


class ResponseForm(ResponseVersionedForm):
    """
    The commissioner's comments and one explanation per recommendation (fields named by ExplanationRow.field_name),
    saved as a draft or published.
    """

    id_prefix = "response"
    words_field = "commissioner_comments"

    commissioner_comments = forms.CharField(
        label="The commissioner's comments on the report",
        help_text="Including the response to the chief officer's comments.",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 8}),
        max_length=50_000,
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.field_name] = forms.CharField(
                label=f"Recommendation {row.recommendation.number}: the action taken or proposed, or why none",
                required=False,
                widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
                max_length=20_000,
                initial=row.text,
            )

    @property
    def explanation_fields(self) -> list[tuple[object, forms.BoundField]]:
        """Return (row, its field) per recommendation, in the report's order."""
        return [(row, self[row.field_name]) for row in self.rows]

    def explanations(self) -> dict[int, str]:
        """Return the explanation of each recommendation, keyed by its id, as cleaned."""
        return {row.recommendation.pk: self.cleaned_data[row.field_name] for row in self.rows}


class WorkbookUploadForm(PageForm):
    """A workbook of the force's actions, edited in Excel, to upload back."""

    id_prefix = "workbook"

    workbook = forms.FileField(
        label="Your edited workbook (.xlsx)",
        help_text="The workbook downloaded from this page, with your changes.",
        error_messages={"required": "Choose the workbook to upload", "empty": "The file is empty"},
    )

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if not workbook.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("Upload the Excel workbook (.xlsx) downloaded from this page.")
        return workbook


class TwoFactorCodeForm(forms.Form):
    """The code of a two-factor sign-in: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app, or a recovery code"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class AuthenticatorSetUpForm(TwoFactorCodeForm):
    """The first code of a new authenticator app, which confirms it has the key."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = "Code from the app"
        code.help_text = "The 6 digits the app shows for this account now."
        code.error_messages["required"] = "Enter the 6-digit code the app shows"
        code.widget.attrs["inputmode"] = "numeric"


# The People pages (tracker.views.people): inviting someone, changing their access, deactivating a leaver.

REASON_MAX_LENGTH = 300


class ReasonField(forms.CharField):
    """Why an admin makes a change to someone's account: kept in the account's history."""

    def __init__(self, label="Reason", help_text="", **kwargs):
        super().__init__(
            label=label,
            max_length=REASON_MAX_LENGTH,
            help_text=help_text,
            error_messages={"required": "Say why: it is kept in the account's history"},
            widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "off"}),
            **kwargs,
        )


class ForcesField(ModelChoicesField):
    def __init__(self, **kwargs):
        from tracker.models import Force

        super().__init__(
            queryset=Force.objects.all(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Forces",
            help_text="A PSD lead updates these forces' actions; a commissioner's office sees its force's. "
            "Reviewers see every force.",
            **kwargs,
        )


def _role_choices() -> list[tuple[str, str]]:
    return list(User.Role.choices)


class InviteForm(PageForm):
    """Someone new: who they are, and the role and forces their account starts with."""

    id_prefix = "invite"

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "off"})
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation goes here; it is also their username. Use their work address.",
        widget=forms.EmailInput(attrs={"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label="Role", choices=_role_choices, widget=forms.RadioSelect)
    forces = ForcesField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in [
            ("first_name", "Enter their first name"),
            ("last_name", "Enter their last name"),
            ("email", "Enter their email address"),
            ("role", "Choose their role"),
        ]:
            self.fields[name].error_messages["required"] = message
        self.fields["email"].error_messages["invalid"] = "Enter an email address like name@force.police.uk"


class AccessForm(PageForm):
    """A new role and forces for someone, and why."""

    id_prefix = "access"

    role = forms.ChoiceField(label="Role", choices=_role_choices, widget=forms.RadioSelect)
    forces = ForcesField()
    reason = ReasonField(help_text="For example: moved from Kent to Essex.")


class DeactivateForm(PageForm):
    id_prefix = "deactivate"

    reason = ReasonField(help_text="For example: left the force on 30 November.")


class ReactivateForm(PageForm):
    id_prefix = "reactivate"

    reason = ReasonField(help_text="For example: back from secondment.")
