"""The demo users' names: common first names and surnames in England and Wales.

The lists are Faker's en_GB person provider's (from the ONS reference tables), in its order, and a name is drawn
as Faker draws one: a seed gives the demo users the names it gave them when factory-boy built them.
"""

import random

FIRST_NAMES = tuple(
    """
David Paul Christopher Thomas John Mark James Stephen Andrew Jack Michael Daniel Peter Richard Matthew Robert Ryan
Joshua Alan Ian Simon Luke Samuel Jordan Anthony Adam Lee Alexander William Kevin Darren Benjamin Philip Gary Joseph
Brian Steven Liam Keith Martin Jason Jonathan Jake Graham Nicholas Craig George Colin Neil Lewis Nigel Oliver
Timothy Stuart Kenneth Raymond Jamie Nathan Geoffrey Connor Terence Trevor Adrian Harry Malcolm Scott Callum Wayne
Aaron Barry Ashley Bradley Patrick Gareth Jacob Sean Kieran Derek Carl Dean Charles Sam Shaun Ben Roger Mohammed
Leslie Ronald Kyle Clive Edward Antony Jeremy Justin Jeffrey Christian Roy Karl Alex Gordon Dominic Joe Marc Reece
Dennis Russell Gavin Rhys Phillip Allan Robin Charlie Gerald Ross Francis Eric Julian Bernard Dale Donald Damian
Frank Shane Cameron Norman Duncan Louis Frederick Tony Howard Conor Douglas Garry Elliot Marcus Arthur Vincent Max
Mathew Abdul Henry Martyn Ricky Leonard Lawrence Glen Mitchell Gerard Gregory Iain Billy Bryan Joel Clifford Josh
Leon Stewart Mohammad Dylan Graeme Terry Guy Elliott Stanley Danny Brandon Victor Toby Hugh Mohamed Brett Albert Tom
Declan Maurice Glenn Leigh Denis Damien Bruce Jay Owen Susan Sarah Rebecca Linda Julie Claire Laura Lauren Christine
Karen Nicola Gemma Jessica Margaret Jacqueline Emma Charlotte Janet Deborah Lisa Hannah Patricia Tracey Joanne
Sophie Carol Jane Michelle Victoria Amy Elizabeth Helen Samantha Emily Mary Diane Rachel Anne Sharon Ann Tracy
Amanda Jennifer Chloe Angela Louise Katie Lucy Barbara Alison Sandra Caroline Clare Kelly Bethany Gillian Natalie
Jade Pauline Megan Elaine Alice Lesley Catherine Hayley Pamela Danielle Holly Wendy Abigail Valerie Olivia Jean Dawn
Donna Stephanie Leanne Kathleen Natasha Denise Sally Katherine Georgia Maureen Maria Zoe Judith Kerry Debra Melanie
Stacey Eleanor Paula Shannon Sheila Joanna Paige Janice Lorraine Georgina Lynn Andrea Suzanne Nicole Yvonne Chelsea
Lynne Anna Kirsty Shirley Alexandra Marion Beverley Melissa Rosemary Kimberley Carole Fiona Kate Joan Marie Jenna
Marilyn Jodie June Grace Mandy Rachael Lynda Tina Kathryn Molly Jayne Amber Marian Jasmine Brenda Sara Kayleigh
Teresa Harriet Julia Ashleigh Heather Kim Ruth Jemma Carly Leah Eileen Francesca Naomi Hilary Abbie Sylvia Katy
Irene Cheryl Rosie Dorothy Aimee Vanessa Ellie Frances Sian Josephine Gail Jill Lydia Joyce Charlene Hollie Hazel
Annette Bethan Amelia Beth Rita Geraldine Diana Lindsey Carolyn
""".split()
)
# Each surname with how common it is, in hundredths of a per cent of people.
_SURNAMES = """
Savage 4 Winter 3 Metcalfe 3 Harper 6 Burgess 6 Bailey 15 Potts 3 Boyle 3 Brown 51 Jennings 5 Payne 9 Day 9 Holland
7 Higgins 5 Rhodes 4 Hancock 4 Howells 3 Fowler 4 Sims 3 Thomas 35 Parker 17 Bentley 4 Barnett 5 Manning 3 Collier 3
Holloway 3 Hartley 4 George 5 Tomlinson 4 Howard 9 Long 6 Farmer 3 Collins 15 Rice 3 Townsend 4 Rees 7 Bruce 3
Hammond 5 Ford 9 Tucker 5 Wallis 3 Hamilton 6 Ferguson 4 Hooper 3 Francis 7 Reeves 4 Barlow 4 Short 4 Cunningham 5
Hopkins 6 Nicholson 6 Archer 4 Green 25 Glover 4 Gibson 9 Spencer 8 Warner 4 Webb 12 Whitehouse 3 Dean 6 Griffiths
16 Clark 20 Hardy 5 Iqbal 3 Baldwin 4 O'Neill 6 Blake 5 Lees 3 Harvey 10 Clarke 24 Daniels 4 Browne 3 Macdonald 4
Kirk 4 Khan 14 Davidson 5 Dale 4 Sanders 4 Wilkins 4 Connor 3 Daly 3 Lane 6 Kennedy 6 Bray 3 Burrows 4 Hayes 7 Wyatt
3 Gould 3 Dyer 3 Nash 5 Bryan 3 Pope 3 Fraser 4 Steele 3 Walsh 9 Wade 4 Marsden 3 Humphries 3 O'Brien 8 Thompson 28
Lord 3 Coleman 6 Jarvis 4 Noble 3 Williamson 6 Carpenter 3 Gardner 6 Farrell 4 Clayton 5 Akhtar 5 Gallagher 5
Skinner 4 Birch 4 Kay 4 Barrett 7 Bates 6 Lucas 4 O'Connor 6 Chamberlain 3 Chapman 12 Ryan 8 Thorpe 4 Lawson 4
Howell 4 Martin 23 Kelly 16 Dobson 4 Stevens 10 Brennan 4 Lloyd 11 Quinn 5 Morton 4 Wilson 35 Barnes 11 Henry 3
Smith 115 Pritchard 5 Phillips 18 Dixon 10 Sharpe 3 Robertson 7 White 27 Bird 6 Abbott 4 Kirby 4 Hussain 11 Barber 5
Harris 25 Doyle 5 Jordan 5 Burns 6 Hodgson 6 Atkins 4 Stokes 5 Rogers 12 Parkes 3 Brookes 4 Herbert 3 Gordon 5 Kemp
5 Webster 7 Sinclair 3 McLean 3 Saunders 9 Stephens 5 Newton 7 Potter 5 Storey 3 Stanley 4 Turnbull 3 Duncan 3 Rose
8 Mills 11 Sheppard 3 Butcher 3 Fry 3 Ross 6 Shepherd 6 Goodwin 5 Holt 5 Haynes 4 Cook 15 Ward 21 Godfrey 3 Stone 7
Dodd 4 Parsons 7 Ingram 3 Nixon 3 Evans 39 Hargreaves 3 Owen 11 Chan 3 Connolly 3 Charlton 3 Middleton 4 Hyde 3
Patel 24 Owens 3 Lamb 4 Palmer 11 Cooper 22 McCarthy 6 Black 4 Dickinson 4 Gilbert 5 Leach 3 North 3 Byrne 6 Frost 5
Simmons 4 Matthews 11 Alexander 4 Ahmed 10 Gibbons 3 Stevenson 5 Rowley 3 Miles 5 Hanson 3 Bolton 3 Craig 3 Ali 12
Carroll 4 Allan 3 Sanderson 3 Fletcher 10 Burton 8 Oliver 7 Davison 4 Douglas 4 Field 4 Pickering 3 Pugh 4 Rowe 5
Mahmood 3 Sykes 3 Crawford 3 Williams 66 Parkin 3 Patterson 4 Power 3 Price 17 Murphy 14 Hale 3 Nicholls 6 Hall 25
Jones 94 Hughes 26 Stephenson 5 Morley 4 Knight 11 Kerr 3 Heath 4 Pollard 3 Lowe 7 O'Sullivan 4 Buckley 5 Bond 5
Dennis 3 Lewis 25 Weston 4 Joyce 3 Reynolds 9 Bishop 6 Norris 4 Barry 3 Whittaker 4 Carey 3 Hill 22 Kent 4 Ashton 4
Wilkinson 13 Powell 12 Henderson 6 Freeman 6 Dunn 7 Kaur 9 French 4 Parry 6 Walton 6 Fisher 10 Naylor 3 Duffy 4
Humphreys 4 Randall 3 Bevan 3 Doherty 3 Moore 21 Armstrong 7 Sullivan 5 Swift 3 Pearce 9 Tyler 3 Bradshaw 4 Allen 19
Mellor 3 Whitehead 5 Jackson 24 Grant 7 Fox 9 Wright 28 Anderson 13 Foster 13 Gibbs 4 Butler 11 Jenkins 10 John 4
Morrison 4 Talbot 3 Blackburn 3 Osborne 5 Flynn 4 Richards 14 Hurst 3 Bibi 5 Houghton 3 Johnson 34 Yates 6 Mistry 3
Donnelly 3 Parkinson 4 Thomson 5 Woods 7 Todd 4 Dawson 8 Hart 7 Graham 10 Berry 7 Willis 5 Miah 4 Brooks 9 Horton 3
Riley 7 Lambert 5 Waters 4 Lynch 5 Moss 6 Slater 5 Knowles 4 Benson 3 Adams 13 King 20 Davies 48 Richardson 15
Vincent 3 Holmes 11 Conway 3 Marshall 14 Faulkner 3 Garner 3 Booth 8 Harrison 20 Campbell 11 Cole 8 Goddard 4
Walters 5 Ellis 13 Edwards 27 Peters 4 Atkinson 8 Wood 24 Briggs 4 Elliott 9 Chandler 3 Hope 3 Hunter 7 Newman 7
Pratt 3 Rahman 3 Hicks 4 Cox 14 Reid 7 Morris 21 Banks 4 Myers 3 Mitchell 16 Davey 4 Peacock 3 Reed 7 Carter 15
Miller 14 Perkins 4 Read 5 Hilton 3 Moran 3 Welch 3 Vaughan 4 Clements 3 Griffin 5 Russell 10 O'Donnell 3 Hobbs 3
Marsh 7 Porter 7 Gill 8 Leonard 3 McKenzie 3 Thornton 4 Fitzgerald 3 Greenwood 5 Pearson 10 James 19 Coles 3 Roberts
33 Nelson 5 Forster 3 Gough 3 Mann 5 Law 3 Barker 10 Cartwright 4 Bradley 8 Sharp 5 Warren 6 Summers 3 Little 4
Perry 8 Fuller 4 West 9 Mason 12 Finch 3 Norton 3 Burke 5 Holden 4 Lee 20 Smart 4 Bull 4 Bryant 4 Gray 12 Watts 8
Brady 3 Baker 20 Barton 5 Davis 17 Baxter 5 Taylor 53 Carr 7 Wong 4 Cameron 3 Gardiner 3 Hawkins 7 Shaw 15 Wallace 5
Young 16 Shah 6 Gregory 7 Ball 8 Norman 4 Lawrence 9 Bowen 4 Wheeler 5 Bartlett 4 Sutton 6 Lyons 3 Hutchinson 5
Poole 5 Cooke 6 Franklin 3 Howe 4 Walker 27 Johnston 5 Austin 5 Chadwick 3 Bell 15 Wall 4 Woodward 5 Preston 4
Bennett 16 Murray 10 Begum 13 McDonald 6 Hudson 7 Cross 6 Singh 13 Howarth 3 Hewitt 5 Curtis 6 Harding 7 May 5 Wells
7 Giles 3 Watson 17 Nolan 3 Andrews 9 Hayward 4 Schofield 4 Hunt 12 Robson 6 Arnold 5 Morgan 19 Coates 3 Page 7
Simpson 13 Stewart 9 Robinson 29 Fleming 3 Scott 18 Chambers 6 Turner 23 Watkins 6
""".split()
SURNAMES = tuple(_SURNAMES[0::2])
SURNAME_WEIGHTS = tuple(int(weight) / 100 for weight in _SURNAMES[1::2])


def person_name(rng: random.Random) -> tuple[str, str]:
    """Return a first name and a surname drawn with `rng`, the commoner surnames more often."""
    return rng.choice(FIRST_NAMES), rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
