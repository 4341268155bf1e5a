"""QuickSelect: Django's select markup, built without a template per option."""

from django import forms

from tracker.forms import QuickSelect


class OwnerForm(forms.Form):
    owner = forms.ChoiceField(
        choices=[("", "Anyone"), ("7", "Alice <Ashby>"), ("8", "Bea")], required=False, widget=QuickSelect
    )


def test_marks_the_chosen_option_and_escapes_labels():
    html = str(OwnerForm({"owner": "7"})["owner"])
    assert html == (
        '<select name="owner" id="id_owner"><option value="">Anyone</option>'
        '<option value="7" selected>Alice &lt;Ashby&gt;</option><option value="8">Bea</option></select>'
    )


def test_renders_as_djangos_own_select_does():
    class DjangoForm(OwnerForm):
        owner = forms.ChoiceField(choices=OwnerForm.base_fields["owner"].choices, required=False)

    for data in (None, {"owner": ""}, {"owner": "8"}):
        quick, django = str(OwnerForm(data)["owner"]), str(DjangoForm(data)["owner"])
        assert quick == django.replace("\n", "").replace("  ", "")
