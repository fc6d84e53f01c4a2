"""English phrases of agents (polite to rude), internal notes and bots."""

from __future__ import annotations

BANK = {
    "a_greet_warm": (
        "Hi {name}, thanks for reaching out.",
        "Dear {name}, I hope you're well.",
        "Hello {name}, good to hear from you.",
        "Hi {name}, hope you're having a good day.",
        "Hello {name}, thanks for getting in touch.",
    ),
    "a_greet_plain": ("Hi.", "Hello.", "Hello,", "Hi {name}."),
    "a_intro": (
        "I'm {agent} from the support team.",
        "{agent} here, happy to help.",
        "My name is {agent} and I'm looking after your request.",
    ),
    "a_thanks_contact": (
        "Thank you for contacting us.",
        "Thanks for your patience.",
        "Thanks for letting us know.",
        "Thanks for your message.",
    ),
    "a_empathy": (
        "I completely understand how frustrating this is.",
        "You have every right to be upset; I'd feel the same.",
        "I understand your concern.",
        "I know waiting is hard.",
    ),
    "a_apology_delay": (
        "Sorry for the slow reply.",
        "Apologies for the delay in getting back to you.",
        "I'm sorry you had to wait so long.",
    ),
    "a_apology": (
        "We're really sorry about this.",
        "I apologise for the trouble.",
        "I'm sorry you had this experience.",
    ),
    "a_rude": (
        "This problem is on your side, not ours.",
        "I already explained this, please read the messages properly.",
        "This question has already been answered.",
        "We can't answer everyone instantly.",
        "If you had read the terms this wouldn't have happened.",
    ),
    "a_curt": (
        "Send the full details.",
        "It will be checked.",
        "Please wait.",
        "Standard procedure applies.",
    ),
    "a_question": {
        "delivery_delay": (
            "Could you send me your order number?",
            "Is the delivery address the one on your account?",
            "Do you have the tracking code?",
        ),
        "order_change": (
            "Please send the full new address with postcode.",
            "Which item would you like to change?",
            "When would suit you for delivery?",
        ),
        "refund": (
            "Could you send your IBAN?",
            "How did you return the item?",
            "Do you remember when you cancelled the order?",
        ),
        "billing_error": (
            "Could you send a screenshot of the invoice?",
            "What was the date and time of the charge?",
            "Which plan are you on?",
        ),
        "payment_failed": (
            "Which card did you use?",
            "Do you have the bank reference?",
            "What exactly did the error say?",
        ),
        "login_problem": (
            "Which phone number did you sign up with?",
            "Are you using the app or the website?",
            "What's the exact error? A screenshot would help.",
        ),
        "app_crash": (
            "Which version of the app are you using?",
            "What phone and OS version do you have?",
            "On which screen does it happen?",
        ),
        "account_change": (
            "Could you send a photo of your ID to verify?",
            "Is the new number registered in your name?",
            "What's the new email address?",
        ),
        "product_question": (
            "How many users do you need?",
            "Is it for personal or business use?",
            "Roughly how many orders do you have a month?",
        ),
        "cancellation": (
            "May I ask why you'd like to cancel?",
            "Should it end now or at the end of the period?",
            "Would you like to try a cheaper plan instead?",
        ),
    },
    "a_solution": {
        "delivery_delay": (
            "Order {order} left our warehouse today and will reach you tomorrow.",
            "I've arranged with the courier: it will be delivered tomorrow morning.",
            "We re-shipped your order with priority and refunded the shipping fee.",
        ),
        "order_change": (
            "The address on order {order} has been updated.",
            "The item has been changed and a new invoice is in your inbox.",
            "Delivery has been moved to Thursday.",
        ),
        "refund": (
            "${amount} has been refunded and will reach your card within 72 working hours.",
            "Your refund is booked and will arrive within three working days.",
            "The refund is done; the reference number was sent to you by SMS.",
        ),
        "billing_error": (
            "The extra ${amount} has been refunded.",
            "The invoice has been corrected and your discount applied.",
            "The duplicate charge has been cancelled.",
        ),
        "payment_failed": (
            "Your payment is confirmed and the order is placed.",
            "The bank will return the amount within 72 hours.",
            "I've sent a new payment link; please try another card.",
        ),
        "login_problem": (
            "Your account is unlocked; you can log in now.",
            "I've sent the password reset link again.",
            "The SMS issue is fixed; please request a new code.",
        ),
        "app_crash": (
            "Version 4.2.3 of the app fixes this; please update.",
            "Please clear the app cache and log in again; we fixed it on our side.",
            "Our engineers fixed the bug and the app should work normally now.",
        ),
        "account_change": (
            "Your phone number has been changed.",
            "Your email address has been updated.",
            "Your deletion request is registered and will be completed within 7 days.",
        ),
        "product_question": (
            "Pro covers up to 10 users with advanced reports; Basic covers 2 users.",
            "The yearly plan comes with a 20% discount.",
            "All our products have an 18-month warranty.",
        ),
        "cancellation": (
            "Your subscription is cancelled and stays active until the end of the period.",
            "Auto-renewal has been switched off.",
            "I've added a free month; if you still want to cancel after that, just tell me.",
        ),
    },
    "a_progress": (
        "We're still looking into it.",
        "I've passed your request to the right department.",
        "We're waiting for finance to reply.",
        "The investigation is ongoing.",
    ),
    "a_positive": (
        "Here is what I can do: I'll follow this up with high priority.",
        "What I can do is activate a discount code for you.",
        "Here is what I can do: let's try again right now together.",
        "What I can do is book express shipping for you.",
    ),
    "a_negative": (
        "Unfortunately we can't do anything about it.",
        "This is out of our hands.",
        "We can't refund this according to our policy.",
        "We can't act any faster than this.",
        "That's not possible.",
    ),
    "a_ownership": (
        "I will follow this up myself.",
        "I'll personally see this through.",
        "Don't worry, I'm taking care of it.",
    ),
    "a_promise": (
        "I'll update you by the end of today.",
        "You'll hear from me by tomorrow noon at the latest.",
        "I'll get back to you as soon as I hear back.",
        "I'll let you know within two working days.",
    ),
    "a_hold": (
        "We're waiting for our finance team; I'll update you as soon as I hear back.",
        "This is with the bank now and we're waiting for their answer.",
        "The warehouse needs to approve this; the ticket is on hold until they reply.",
    ),
    "a_escalate": (
        "I've escalated your request to our specialist team.",
        "I've passed this to our second-line support for a closer look.",
        "Our technical team will review this.",
    ),
    "a_specialist": (
        "I'm {agent} from the tier-2 team and your case has been assigned to me.",
        "{agent} here from the technical team; I've reviewed your case.",
        "Your request reached me, I'm {agent} from our specialists.",
    ),
    "a_reopen": (
        "I'm really sorry the problem came back.",
        "Apologies that it wasn't fully fixed the first time.",
        "You're right, we'll look at it again.",
    ),
    "a_glad": ("Glad it's solved.", "Happy I could help.", "Great to hear it works!"),
    "a_check": (
        "Please check and let me know if it's not fixed.",
        "If anything else comes up, just reply here.",
        "Please let me know how it goes.",
    ),
    "a_close_warm": (
        "If you have any other questions, I'm here to help.",
        "Have a great day.",
        "Thanks for your patience, take care.",
        "Best wishes.",
    ),
    "a_close_plain": ("Regards.", "Thanks.", "Bye."),
    "a_sign": ("{agent}, Support Team", "Kind regards, {agent}", "{agent} - Customer Support"),
    "a_outbound": {
        "delivery_delay": (
            "Just a heads-up: order {order} will be two days late due to a warehouse backlog.",
        ),
        "order_change": (
            "One item in order {order} is out of stock; would you like a replacement?",
        ),
        "refund": ("The refund for your cancelled order is under way; we just need your IBAN.",),
        "billing_error": (
            "We noticed an overcharge on this month's invoice and are correcting it.",
        ),
        "payment_failed": (
            "Your last subscription payment failed; please update your payment method.",
        ),
        "login_problem": ("To protect your account, we blocked a suspicious login attempt.",),
        "app_crash": ("A new app version is out that fixes the problem you reported.",),
        "account_change": (
            "Your account details are incomplete; please confirm your phone number.",
        ),
        "product_question": ("The Pro plan is 30% off this week.",),
        "cancellation": (
            "Your subscription renews next week; let us know if you have any questions.",
        ),
    },
    "a_call_prefix": ("Call summary:", "Call notes:", "Customer call:"),
    "a_call_topic": {
        "delivery_delay": ("Customer called about the delay of order {order}.",),
        "order_change": ("Customer asked to change the delivery address.",),
        "refund": ("Customer chasing the refund for order {order}.",),
        "billing_error": ("Customer disputes the invoice amount.",),
        "payment_failed": ("Customer was charged but no order was created.",),
        "login_problem": ("Customer cannot log in.",),
        "app_crash": ("Customer reported the app crashing.",),
        "account_change": ("Customer wants to change the phone number on the account.",),
        "product_question": ("Customer asked about the difference between plans.",),
        "cancellation": ("Customer asked to cancel the subscription.",),
    },
    "a_call_done": (
        "Resolved on the call.",
        "Issue fixed during the call.",
        "Explained in full, customer satisfied.",
    ),
    "a_call_followup": (
        "Waiting for documents from the customer.",
        "Customer will email a screenshot.",
        "Follow-up by email.",
    ),
    "a_dup": (
        "This request is a duplicate; we're handling it in your earlier request ({ticket}).",
        "Your issue is being handled in ticket {ticket}; I've moved this message there.",
    ),
    "n_note": (
        "Checked the logs, error 500 from the payment gateway.",
        "VIP customer, handle with care.",
        "Coordinated with the warehouse.",
        "Third contact about this, watch out.",
        "Applied a 10% goodwill code.",
        "CRM updated.",
    ),
    "n_escalate": (
        "Escalating to tier 2: likely Android bug.",
        "Needs a database check, passing to a specialist.",
        "Customer angry and asked for a manager; escalated.",
        "Beyond my permissions, escalated.",
    ),
    "n_hold": (
        "Waiting for finance approval.",
        "Sent to the bank, on hold.",
        "Waiting for the warehouse.",
    ),
    "n_dup": ("Duplicate of {ticket}, merged.", "duplicate of {ticket}"),
    "b_greet": (
        "Hi! I'm the virtual assistant. How can I help?",
        "Welcome! Please type your question.",
        "Hello! I'm the support bot.",
    ),
    "b_suggest": {
        "delivery_delay": ("This article may help: 'Tracking your order'.",),
        "order_change": ("See 'Editing an order before it ships'.",),
        "refund": ("See 'How long refunds take'.",),
        "billing_error": ("The guide 'Viewing your invoices' may help.",),
        "payment_failed": ("If you were charged, the amount is usually returned within 72 hours.",),
        "login_problem": ("You can use 'Forgot password'.",),
        "app_crash": ("Please update the app to the latest version.",),
        "account_change": ("You can edit your details under 'Profile'.",),
        "product_question": ("The plan comparison is on our 'Pricing' page.",),
        "cancellation": ("You can cancel under 'My subscription'.",),
    },
    "b_handoff": (
        "I'll connect you with a colleague now.",
        "One moment please, an agent will join.",
        "Transferring you to an agent.",
    ),
    "b_offline": (
        "Our agents are offline right now; they'll reply in working hours.",
        "We're open Saturday to Thursday; your message has been recorded.",
    ),
    "b_resolved": ("Glad that's solved! Closing the chat.", "You're welcome! Ask me anytime."),
    "b_ack": (
        "Your request {ticket} has been received. We'll reply soon.",
        "Message received (reference: {ticket}).",
    ),
}
