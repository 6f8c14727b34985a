public enum PlaceholderN {}
